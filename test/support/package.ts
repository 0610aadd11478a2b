/**
 * Runs `osls package` the way a deploy would, with no AWS credentials at all,
 * into a fresh directory, and reads what it produced.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../local/server.js';

const run = promisify(execFile);

export interface CfnResource {
  Type: string;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties: Record<string, unknown>;
}

export interface CfnTemplate {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

export interface Packaged {
  dir: string;
  template: CfnTemplate;
  output: string;
}

/** The resources of one type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** `osls package --stage <stage> --package <tmp>` with an environment that holds no AWS credentials. */
export async function packageService(stage = 'test', extraArgs: string[] = []): Promise<Packaged> {
  const home = await mkdtemp(join(tmpdir(), 'todo-pkg-home-'));
  const dir = join(home, 'package');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, CI: 'true' };
  const { stdout, stderr } = await run(
    process.execPath,
    [
      resolve(PROJECT_ROOT, 'node_modules/osls/bin/serverless.js'),
      'package',
      '--stage',
      stage,
      '--package',
      dir,
      ...extraArgs,
    ],
    { cwd: PROJECT_ROOT, env, timeout: 120_000 },
  );
  const template = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { dir, template, output: stdout + stderr };
}
