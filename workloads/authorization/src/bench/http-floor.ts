// The baseline the authorization benchmarks are compared with, in the same run: a bare node:http
// server in its own process that reads the body and answers a fixed 201 JSON, no parsing, no
// tokenization, no journal. What autocannon can get through loopback on this machine, at most.
//
//   PAYGRID_HTTP_PORT=<port> node workloads/authorization/dist/bench/http-floor.js
import { createServer } from 'node:http';

const answer = JSON.stringify({ id: 'floor', status: 'approved', mode: 'stand-in' });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/readyz') {
      res.writeHead(200).end('ok');
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PAYGRID_HTTP_PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
