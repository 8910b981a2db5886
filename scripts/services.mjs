// Makes sure PostgreSQL and NATS JetStream answer before the distributed suite runs: starts them with
// this machine's service commands when they are installed but down (DEVELOPERS.md).
import { execSync } from "node:child_process";
import { connect } from "node:net";

const services = [
  {
    name: "PostgreSQL",
    url: process.env.MYPAY_TEST_DATABASE_URL ?? "postgres://127.0.0.1:5432",
    start: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | tail -n 1) main start",
  },
  {
    name: "NATS",
    url: process.env.MYPAY_TEST_BUS_URL ?? "nats://127.0.0.1:4222",
    start:
      "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log",
  },
];

const answers = (host, port) =>
  new Promise((done) => {
    const socket = connect({ host, port: Number(port) }, () => {
      socket.destroy();
      done(true);
    });
    socket.on("error", () => done(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      done(false);
    });
  });

for (const s of services) {
  const { hostname, port } = new URL(s.url);
  if (await answers(hostname, port)) continue;
  console.log(`${s.name} is not answering at ${hostname}:${port}; starting it`);
  try {
    execSync(s.start, { stdio: "inherit", shell: "/bin/bash" });
  } catch {
    console.error(`could not start ${s.name}`);
  }
  let up = false;
  for (let i = 0; i < 60 && !up; i++) {
    up = await answers(hostname, port);
    if (!up) await new Promise((r) => setTimeout(r, 500));
  }
  if (!up) {
    console.error(`${s.name} did not come up at ${hostname}:${port}`);
    process.exit(1);
  }
}
