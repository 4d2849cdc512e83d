/**
 * The agent process's signals, listened to from the moment `kiln agent`
 * starts: a Ctrl-C while the roles are still starting (demo images, store
 * open) is remembered and the agent stops as soon as it is up, instead of
 * the signal being lost and the agent running on. A second SIGINT/SIGTERM
 * exits at once. SIGHUP is handed to whoever is registered (TLS reload).
 */
export interface AgentSignals {
  /** Resolves with the first SIGINT/SIGTERM. */
  readonly stopRequested: Promise<string>;
  /** Whether a stop was asked for already. */
  readonly stopping: boolean;
  onHangup(handler: () => void): void;
  /** Remove the listeners (after the agent stopped). */
  dispose(): void;
}

export function listenForAgentSignals(out: NodeJS.WritableStream, proc: NodeJS.Process = process): AgentSignals {
  let stopping = false;
  let hangup: (() => void) | undefined;
  let requested!: (signal: string) => void;
  const stopRequested = new Promise<string>((resolve) => (requested = resolve));
  const onStop = (signal: string) => () => {
    if (stopping) {
      out.write(`==> second ${signal}: exiting now\n`);
      proc.exit(1);
    }
    stopping = true;
    requested(signal);
  };
  const onInt = onStop('SIGINT');
  const onTerm = onStop('SIGTERM');
  const onHup = (): void => {
    if (stopping) return;
    if (!hangup) {
      out.write('==> caught SIGHUP while starting: ignored\n');
      return;
    }
    hangup();
  };
  proc.on('SIGINT', onInt);
  proc.on('SIGTERM', onTerm);
  proc.on('SIGHUP', onHup);
  return {
    stopRequested,
    get stopping() {
      return stopping;
    },
    onHangup: (handler) => (hangup = handler),
    dispose: () => {
      proc.off('SIGINT', onInt);
      proc.off('SIGTERM', onTerm);
      proc.off('SIGHUP', onHup);
    },
  };
}
