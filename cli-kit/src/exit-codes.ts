/**
 * Exit statuses shared by kubelet-sim, runtime-sim, trace-sink and the demo. The real components exit 1 for
 * every startup error, a bad flag included: the kubelet through component-base `cli/run.go` (`Run` returns 1
 * for any command error and prints flag errors as `Error: ...` before logging is set up), containerd through
 * `cmd/containerd/main.go` (`os.Exit(1)` after `app.Run`), CRI-O through urfave/cli and `logrus.Fatal`, and the
 * OpenTelemetry Collector through cobra. So do we: one code for a bad flag or config, none reserved for usage.
 */
export const EXIT_CODE = {
  OK: 0,
  /** A flag, config file or environment value that cannot be used; the message names it and the fix. */
  BAD_USAGE: 1,
  /** Anything else that stops a start or a run (a port in use, a child process that failed). */
  FAILURE: 1,
} as const;
