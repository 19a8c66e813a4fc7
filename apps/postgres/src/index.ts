#!/usr/bin/env node
import { runConnector } from '@bastion-mcp/core';
import { postgresConnector } from './connector.js';
import { exitOnRoleRefusal } from './exit-on-role-refusal.js';

await runConnector(postgresConnector({ onRoleRefused: exitOnRoleRefusal('bastion-postgres') }));
