-- Trace context across capture (docs/observability.md, "Traces"): each audit entry keeps the W3C
-- traceparent of the write that recorded it, null when tracing is off. Captured with the
-- transaction, it lets the read-model apply and what the change causes join the write's trace.
ALTER TABLE "AuditEntry" ADD COLUMN "traceparent" TEXT;
