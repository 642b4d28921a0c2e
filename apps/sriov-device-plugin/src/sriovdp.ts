// The `sriovdp` executable.
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'fatal', err: String(err) })}\n`,
    );
    process.exit(1);
  },
);
