// One small helper for forms: run an action, keep its error or its done message.
export function form() {
  let error = $state<unknown>(null);
  let done = $state<string | null>(null);
  let busy = $state(false);
  return {
    get error() {
      return error;
    },
    get done() {
      return done;
    },
    get busy() {
      return busy;
    },
    /** Forgets the last error: call it when what the error was about changes,
     *  so a sentence like "tick that the child agrees" never stays beside a ticked box. */
    clear() {
      error = null;
    },
    /** Runs `action`; a string it returns becomes the done message. */
    async run(action: () => Promise<string | void>) {
      error = null;
      done = null;
      busy = true;
      try {
        done = (await action()) || null;
      } catch (e) {
        error = e;
      } finally {
        busy = false;
      }
    },
  };
}
