// What SIGINT/SIGTERM do while a command runs: the CLI (cli/main.ts) owns the signal handlers;
// a stage that holds something to undo (pull: its staging directory and project lock) registers a
// cleanup here, which finishes or undoes its work and says what state it left.

/** Undo or finish what the stage was doing; resolves to what the user should be told. */
export type InterruptCleanup = () => Promise<string>;

export interface Interrupts {
  /** Register `cleanup` until the returned function is called. */
  register(cleanup: InterruptCleanup): () => void;
  /** True once a signal arrived (stages stop starting new work). */
  readonly interrupted: boolean;
}

export interface InterruptController extends Interrupts {
  /** Run every registered cleanup (most recent first) and collect their messages. */
  interrupt(): Promise<string[]>;
}

export function createInterrupts(): InterruptController {
  const cleanups: InterruptCleanup[] = [];
  let interrupted = false;
  return {
    register(cleanup) {
      cleanups.push(cleanup);
      return () => {
        const index = cleanups.indexOf(cleanup);
        if (index >= 0) cleanups.splice(index, 1);
      };
    },
    get interrupted() {
      return interrupted;
    },
    async interrupt() {
      interrupted = true;
      const messages: string[] = [];
      for (const cleanup of cleanups.splice(0).reverse()) messages.push(await cleanup());
      return messages;
    },
  };
}
