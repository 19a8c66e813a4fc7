#!/usr/bin/env node
import { runConnector } from '@bastion-mcp/core';
import { connector } from './connector.js';

await runConnector(connector);
