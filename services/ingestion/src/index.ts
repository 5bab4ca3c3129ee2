import { runService } from '@proctor/kernel';
import { createIngestionApp } from './app.ts';
import { readConfig } from './environment.ts';

runService('ingestion', readConfig, createIngestionApp);
