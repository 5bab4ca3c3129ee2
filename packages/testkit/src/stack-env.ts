import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const STACK_ENV = fileURLToPath(new URL('../../../deploy/stack.env', import.meta.url));

/** The local stack's addresses and development credentials (deploy/stack.env), as KEY → value. */
export function readStackEnv(path = STACK_ENV): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) values[match[1]] = match[2] ?? '';
  }
  return values;
}

/** One stack variable: the exported value if any, else deploy/stack.env's; a missing one fails loudly. */
export function stackValue(name: string): string {
  const value = process.env[name] ?? readStackEnv()[name];
  if (value === undefined) throw new Error(`${name} is neither exported nor in deploy/stack.env`);
  return value;
}
