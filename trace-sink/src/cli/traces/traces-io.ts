/** Where a traces command writes: results to `out`, notes and skipped lines to `warn`. */
export interface TracesIo {
  out(text: string): void;
  warn(text: string): void;
  /** Colour service names and bars (a TTY without NO_COLOR). */
  colour: boolean;
}
