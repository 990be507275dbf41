/** Traces in the report's picker unless --max-traces says otherwise. */
export const DEFAULT_REPORT_MAX_TRACES = 200;
