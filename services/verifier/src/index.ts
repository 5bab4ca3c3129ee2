import { runService } from '@proctor/kernel';
import { createVerifierApp } from './app.ts';
import { readConfig } from './environment.ts';

runService('verifier', readConfig, createVerifierApp);
