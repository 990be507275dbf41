import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The report page's own script and style sheet, inlined into every report (the page loads nothing else). */
export interface ReportAssets {
  script: string;
  style: string;
}

// tsc does not copy assets into dist/: they are read next to the sources, from src/ or from dist/trace-sink/src/.
const CANDIDATE_DIRS = [resolve(__dirname, '../../../assets/report'), resolve(__dirname, '../../../../../trace-sink/assets/report')] as const;

export function readReportAssets(): ReportAssets {
  for (const dir of CANDIDATE_DIRS) {
    if (existsSync(join(dir, 'report.js'))) {
      return { script: readFileSync(join(dir, 'report.js'), 'utf8'), style: readFileSync(join(dir, 'report.css'), 'utf8') };
    }
  }
  throw new Error(`traces: cannot find the report page assets (report.js, report.css); looked in ${CANDIDATE_DIRS.join(', ')}`);
}
