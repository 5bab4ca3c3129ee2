import { runService } from '@proctor/kernel';
import { createProjectorApp } from './app.ts';
import { readConfig } from './environment.ts';

runService('projector', readConfig, createProjectorApp);
