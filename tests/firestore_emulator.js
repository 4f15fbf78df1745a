// Runs the @firestore-emulator/server library (it has no CLI) on a loopback port for the tests and
// `make run-firestore`:  node tests/firestore_emulator.js [port]   (port 0 or none: any free port)
// Prints "firestore-emulator listening on 127.0.0.1:<port>" once it accepts connections, and stops
// on SIGINT/SIGTERM or when its standard input closes (the parent process went away).
"use strict";

const { ServerCredentials } = require("@grpc/grpc-js");
const { FirestoreServer } = require("@firestore-emulator/server");

const requested = Number.parseInt(process.argv[2] ?? "0", 10);
if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
  console.error(`usage: node firestore_emulator.js [port]; got ${process.argv[2]}`);
  process.exit(2);
}

const emulator = new FirestoreServer();
// FirestoreServer.start() binds 0.0.0.0; bind its gRPC server to loopback only instead.
emulator.server.bindAsync(
  `127.0.0.1:${requested}`,
  ServerCredentials.createInsecure(),
  (error, port) => {
    if (error) {
      console.error(`firestore-emulator could not listen: ${error.message}`);
      process.exit(1);
    }
    console.log(`firestore-emulator listening on 127.0.0.1:${port}`);
  },
);

function stop() {
  emulator.stop();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
if (process.argv.includes("--exit-with-stdin")) {
  process.stdin.on("end", stop);
  process.stdin.resume();
}
