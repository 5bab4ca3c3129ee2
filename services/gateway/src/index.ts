import { runService } from '@proctor/kernel';
import { createGatewayApp } from './app.ts';
import { readConfig } from './environment.ts';

runService('gateway', readConfig, createGatewayApp);
