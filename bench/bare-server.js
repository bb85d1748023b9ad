// The ceiling of row 2: a bare node:http server in a child process of its own, as pxauth is, on loopback,
// answering every request with the JSON body and headers it was given (those of a real introspection
// answer, so that the bytes on the wire are the same), after reading the request's body as pxauth does.
const { createServer } = require('node:http');

const { body, headers } = JSON.parse(process.argv[2]);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
// pxauth's keep-alive (src/server.ts): the same Keep-Alive header, the same connection reuse.
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send({ ready: true, url: `http://127.0.0.1:${server.address().port}` }));
process.on('message', (m) => {
  if (m.cmd === 'close') server.close(() => process.exit(0));
});
