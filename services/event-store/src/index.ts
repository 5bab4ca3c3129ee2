import { runService } from '@proctor/kernel';
import { createEventStoreApp } from './app.ts';
import { readConfig } from './environment.ts';

runService('event-store', readConfig, createEventStoreApp);
