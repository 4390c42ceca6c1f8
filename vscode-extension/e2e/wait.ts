/** Bounded waiting on a condition: every step of the end-to-end test waits this way, never by a fixed sleep. */

const POLL_MS = 100;

/** Polls `condition` until it holds; throws after `ms` with `what` and the `detail` of the moment. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms: number,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) {
      return;
    }
    if (Date.now() > deadline) {
      const more = detail();
      throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${more === '' ? '' : `\n${more}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
