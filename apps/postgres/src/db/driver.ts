// What a connection needs and the server's start does not: node-postgres and the protocol
// exchange on top of it, loaded by the first connection (the start-up role check).
export { default as pg } from 'pg';
export { Session } from './session.js';
