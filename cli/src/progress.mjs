// progress.mjs -- progress on long steps, on stderr: a spinner line per step
// on a terminal, nothing when stderr is not a TTY (CI logs, pipes) unless
// UDF_PROGRESS=1 asks for plain lines. Results are never printed here.

const FRAMES = ["|", "/", "-", "\\"];

// A reporter: step(label, fn) runs fn and shows label while it runs.
export function progress({ stream = process.stderr, env = process.env } = {}) {
  const tty = Boolean(stream.isTTY) && env.UDF_PROGRESS !== "0";
  const lines = env.UDF_PROGRESS === "1";
  return {
    // Show a one-off note (embedded cluster start and the like).
    note(text) {
      if (tty || lines) stream.write(`${text}\n`);
    },
    // Run fn under a spinner (or a start line); returns its result.
    async step(label, fn) {
      const start = Date.now();
      let timer;
      if (tty) {
        let i = 0;
        stream.write(`${FRAMES[0]} ${label}`);
        timer = setInterval(() => stream.write(`\r${FRAMES[++i % 4]} ${label}`), 120);
      } else if (lines) stream.write(`${label}...\n`);
      try {
        return await fn();
      } finally {
        if (timer) {
          clearInterval(timer);
          stream.write(`\r\x1b[K`);
        }
        if (lines) stream.write(`${label}: ${Date.now() - start} ms\n`);
      }
    },
  };
}
