/** `npm start` from source, through tsx: `node --import tsx local/main.ts` (local/start.mjs runs it prebuilt). */
import { main } from './cli.js';

await main();
