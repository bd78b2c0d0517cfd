-- Trace context on the change feed (docs/observability.md, "Traces"): each entry keeps the W3C
-- traceparent of the read-model apply that appended it (itself the child of the source write's
-- trace), null when tracing is off; the flows' steps and the subscription pushes continue it.
ALTER TABLE "ChangeFeedEntry" ADD COLUMN "traceparent" TEXT;
