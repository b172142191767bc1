// errors.mjs -- the one error type the CLI raises on purpose. Every bad input
// becomes a CliError with a one-line message (what went wrong) and a detail
// (which file or function, and what to do); bin/udf.mjs prints both and exits
// non-zero. Anything else that escapes is a bug and is printed with its stack.

// An error meant for the user: one line, plus an optional detail paragraph.
export class CliError extends Error {
  constructor(message, detail) {
    super(message);
    this.name = "CliError";
    this.detail = detail;
  }
}

// Format an error for the terminal: "udf: message" then the indented detail.
export function formatError(err) {
  if (err instanceof CliError) {
    const lines = [`udf: ${err.message}`];
    if (err.detail) for (const l of String(err.detail).split("\n")) lines.push(`  ${l}`);
    return lines.join("\n");
  }
  return `udf: internal error: ${err && err.stack ? err.stack : err}`;
}

// Turn a PostgreSQL error (from the pg client) into a CliError, keeping its
// message, detail and hint.
export function fromPgError(err, what) {
  if (!err || !err.code) return err;
  const detail = [err.detail, err.hint && `hint: ${err.hint}`, `(SQLSTATE ${err.code}, while ${what})`]
    .filter(Boolean)
    .join("\n");
  return new CliError(err.message, detail);
}
