// http-server.mjs -- the loopback HTTP server fetch tests talk to.
//   node regress/http-server.mjs start PORT   start it detached, return once it listens
//   node regress/http-server.mjs serve PORT   serve in the foreground
//   node regress/http-server.mjs start-tls PORT DIR   the same over HTTPS, with a
//       self-signed certificate for 127.0.0.1 made by openssl in DIR (cert.pem, key.pem)
// It listens on 127.0.0.1 only, exits on GET /quit, and exits by itself after
// 120 s so a failed test never leaves it behind. Routes:
//   /json               {"hello":"world"} as application/json
//   /echo               the request as JSON: method, url, headers, body (text), bodyBytes
//   /bytes?n=N          N bytes 0,1,...,255,0,... as application/octet-stream
//   /big?kb=N           N kB of "x"
//   /slow?ms=N          answers "slow" after N ms (the connection stays open meanwhile)
//   /redirect?to=U&status=S   a redirect to U (default 302)
//   /status?code=N      that status with body "status N"
//   /cookies            two Set-Cookie headers and X-Custom
//   /aborted            how many /slow requests had their connection closed before the answer
import http from "node:http";
import https from "node:https";
import { spawn, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdirSync, readFileSync, chmodSync } from "node:fs";
import { join } from "node:path";

const [mode, portText, tlsDir] = process.argv.slice(2);
const port = Number(portText);
if (!["start", "serve", "start-tls", "serve-tls"].includes(mode) || !Number.isInteger(port) ||
    (mode.endsWith("-tls") && !tlsDir)) {
  console.error("usage: node http-server.mjs start|serve PORT | start-tls|serve-tls PORT DIR");
  process.exit(2);
}

if (mode === "start-tls") {
  // a throwaway self-signed certificate, readable by the database server's user
  mkdirSync(tlsDir, { recursive: true });
  chmodSync(tlsDir, 0o755);
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", join(tlsDir, "key.pem"), "-out", join(tlsDir, "cert.pem")], { stdio: "ignore" });
  chmodSync(join(tlsDir, "cert.pem"), 0o644);
}

if (mode === "start" || mode === "start-tls") {
  const args = mode === "start" ? ["serve", String(port)] : ["serve-tls", String(port), tlsDir];
  // the server says when it listens (or why it cannot), over an IPC channel: a probe
  // connecting before it listens could meet itself on the port and take it
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    detached: true, stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
  const timer = setTimeout(() => { console.error("http-server did not start (no answer in 10 s)"); process.exit(1); }, 10000);
  child.on("message", (m) => {
    clearTimeout(timer);
    if (m === "listening") process.exit(0);
    console.error(`http-server did not start: ${m}`);
    process.exit(1);
  });
  child.on("exit", (code) => { console.error(`http-server did not start: it exited (${code})`); process.exit(1); });
  child.unref();
} else {
  let aborted = 0;
  const handler = (req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    const q = (k, d) => url.searchParams.get(k) ?? d;
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      switch (url.pathname) {
        case "/json":
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ hello: "world" }));
          break;
        case "/echo":
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers,
            body: body.toString("utf8"), bodyBytes: [...body.subarray(0, 16)], length: body.length }));
          break;
        case "/bytes": {
          const n = Number(q("n", "256"));
          res.writeHead(200, { "content-type": "application/octet-stream" });
          res.end(Buffer.from(Array.from({ length: n }, (_, i) => i % 256)));
          break;
        }
        case "/big":
          res.writeHead(200, { "content-type": "text/plain" });
          res.end("x".repeat(Number(q("kb", "1")) * 1024));
          break;
        case "/slow": {
          const timer = setTimeout(() => { res.writeHead(200); res.end("slow"); }, Number(q("ms", "1000")));
          res.on("close", () => {
            if (!res.writableFinished) { clearTimeout(timer); aborted++; }
          });
          break;
        }
        case "/redirect":
          res.writeHead(Number(q("status", "302")), { location: q("to", "/json") });
          res.end();
          break;
        case "/status":
          res.writeHead(Number(q("code", "200")), "Custom Reason");
          res.end(`status ${q("code", "200")}`);
          break;
        case "/cookies":
          res.setHeader("set-cookie", ["a=1", "b=2"]);
          res.setHeader("x-custom", "yes");
          res.end("ok");
          break;
        case "/aborted":
          res.end(String(aborted));
          break;
        case "/quit":
          res.end("bye");
          setTimeout(() => process.exit(0), 10);
          break;
        default:
          res.writeHead(404);
          res.end("not found");
      }
    });
  };
  const server = mode === "serve" ? http.createServer(handler)
    : https.createServer({ key: readFileSync(join(tlsDir, "key.pem")), cert: readFileSync(join(tlsDir, "cert.pem")) }, handler);
  server.keepAliveTimeout = 1000;
  // started by "start": tell it the outcome, then let it go
  const tell = (m) => { if (process.connected) process.send(m, () => process.disconnect()); };
  server.on("listening", () => tell("listening"));
  server.on("error", (e) => { tell(e.message); process.exit(1); });
  server.listen(port, "127.0.0.1");
  setTimeout(() => process.exit(0), 120000).unref();
}
