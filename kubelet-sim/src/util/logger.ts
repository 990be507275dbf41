/** klog-style lines on stderr (`I1121 23:59:59.123456 file] msg`), so output reads like a kubelet's. */
export type LogLevel = 'I' | 'W' | 'E';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createKlogLogger(component: string, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const line = (level: LogLevel, message: string): void => {
    const d = new Date();
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    const stamp = `${pad(d.getMonth() + 1)}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}000`;
    write(`${level}${stamp} ${component}] ${message}`);
  };
  return { info: (m) => line('I', m), warn: (m) => line('W', m), error: (m) => line('E', m) };
}
