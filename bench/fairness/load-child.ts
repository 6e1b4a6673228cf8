/**
 * The load generator's process (see `startLoadGenerator` in load-generator.ts): answers each {@link LoadRequest}
 * on the IPC channel with its {@link LoadResult}, and exits when the parent closes the channel.
 */
import { generateLoad, type LoadRequest, type LoadResult } from './load-generator.js';

if (process.send === undefined) {
  console.error('load-child.ts runs as a child of startLoadGenerator() (it needs an IPC channel)');
  process.exit(2);
}

process.on('message', (message) => {
  void generateLoad(message as LoadRequest).then((result: LoadResult) => process.send?.(result));
});
process.on('disconnect', () => process.exit(0));
