// Entry point of `poolshare-keys` (bin/poolshare-keys.js, `npm run keys -- …`).
import { runKeysCli } from './keys-command.js';

process.exitCode = runKeysCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
