// Test fixture: forwards LISTEN_HOST:LISTEN_PORT to TARGET_HOST:TARGET_PORT, so Lambda containers on
// the private bridge reach a server that listens on loopback only (the JVM Cassandra).
//   node scripts/tools/local-aws/tcp-forward.mjs 172.31.250.1:9543 127.0.0.1:9543
import net from 'node:net';

const [listen, target] = process.argv.slice(2);
if (!listen || !target) {
  console.error('usage: tcp-forward.mjs LISTEN_HOST:PORT TARGET_HOST:PORT');
  process.exit(2);
}
const [lh, lp] = listen.split(':');
const [th, tp] = target.split(':');
net
  .createServer((client) => {
    const upstream = net.connect(Number(tp), th);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  })
  .listen(Number(lp), lh, () => console.log(`tcp-forward: ${listen} -> ${target}`));
