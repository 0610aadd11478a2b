/**
 * Runs `osls package` the way a deploy would, with no AWS credentials at all, into a fresh temporary directory,
 * and reads what it produced. Shared by the package tests and the benchmark (which cold-starts a packaged zip).
 *
 * osls always works in `<service>/.serverless/` (it deletes that directory first, builds there, and with `--package`
 * moves the result away), whatever `--package` says. So osls runs here in a service directory of its own, made of
 * links to the project's files: the project's `.serverless/` (what `npm run package` built) is never touched, and
 * packagings running at once never share a working directory.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../local/paths.js';
import { splitHandler } from '../plugins/handler-path.cjs';
import { readZip } from './zip.js';

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
  /** Where the zips and templates are. */
  dir: string;
  template: CfnTemplate;
  output: string;
  /** Deletes everything this packaging wrote. */
  remove(): Promise<void>;
}

/** The resources of one type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** Osls's working directory, which a staged service must not share with the project. */
const OSLS_WORK_DIR = '.serverless';

/**
 * A directory that osls takes for the project: a copy of serverless.yml (osls wants the file itself, not a link) and a
 * link to each of the project's other files but `.serverless/`.
 */
async function stageService(into: string): Promise<string> {
  const service = join(into, 'service');
  await mkdir(service);
  for (const entry of await readdir(PROJECT_ROOT)) {
    if (entry === OSLS_WORK_DIR) continue;
    if (entry === 'serverless.yml') await copyFile(join(PROJECT_ROOT, entry), join(service, entry));
    else await symlink(join(PROJECT_ROOT, entry), join(service, entry));
  }
  return service;
}

/** `osls package --stage <stage> --package <tmp>` with an environment that holds no AWS credentials. */
export async function packageService(stage = 'test', extraArgs: string[] = []): Promise<Packaged> {
  const home = await mkdtemp(join(tmpdir(), 'todo-pkg-home-'));
  const remove = () => rm(home, { recursive: true, force: true });
  const dir = join(home, 'package');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, CI: 'true' };
  try {
    const service = await stageService(home);
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
      { cwd: service, env, timeout: 120_000 },
    );
    const template = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
    return { dir, template, output: stdout + stderr, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * Unzips one function's artifact into `into/<function name>/` as Lambda would lay it out, and returns the path of
 * the module its handler names (e.g. `.../src/handlers/create.mjs`) with the handler's export name.
 */
export async function unpackFunction(
  packaged: Packaged,
  functionName: string,
  handler: string,
  into: string,
): Promise<{ file: string; exportName: string }> {
  const root = join(into, functionName);
  for (const [name, content] of await readZip(join(packaged.dir, `${functionName}.zip`))) {
    const target = join(root, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  const { module, exportName } = splitHandler(handler);
  return { file: join(root, `${module}.mjs`), exportName };
}
