-- Trace context (docs/observability.md, "Traces"): a step keeps the W3C traceparent of the
-- change-feed entry that caused it (null when tracing is off), so executing it continues the
-- trace of the write that started it all, even when it runs later or on another worker.
ALTER TABLE "FlowStep" ADD COLUMN "traceparent" TEXT;
