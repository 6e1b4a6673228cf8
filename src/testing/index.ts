/**
 * `sluice/testing`: tools for deterministic tests of actors and pipelines. Named exports only.
 */
export { VirtualClock } from './virtual-clock.js';
