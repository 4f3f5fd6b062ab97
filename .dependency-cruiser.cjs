/**
 * The layer rules of oss-sse-guard (docs/architecture.md), checked by `npm run deps` inside `npm test`,
 * so a violation fails like a test instead of waiting for a reviewer to remember it.
 *
 * Layers, bottom up: base (shared/model.ts, ports.ts, errors.ts, tool.ts, log.ts) <- policy (pure) <-
 * cloud (the only place that talks to an SDK) <- core areas (audit, objects, backfill, watch, report,
 * alerts, ram, runtime) <- entries (functions/, cli/). The emulator is a component of its own that
 * only the CLI's emulator/demo commands load, lazily, so no function bundle contains it. The OSS
 * gateway is sealed: its call core and SDK client never leave shared/cloud/.
 */
const SDK = 'node_modules/(ali-oss|@alicloud/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one in disguise; move the shared type down (shared/ports.ts).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'policy-is-pure',
      severity: 'error',
      comment:
        'shared/policy depends on nothing but the base types and its parsing libraries: no SDK, no cloud, no core area.',
      from: { path: '^shared/policy/' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot:
          '^(shared/(policy/|model\\.ts$|errors\\.ts$|ports\\.ts$|safe-text\\.ts$)|node_modules/(zod|yaml)/)',
      },
    },
    {
      name: 'cloud-knows-no-core',
      severity: 'error',
      comment: 'Gateways turn SDK shapes into the base types; they import nothing of the core areas.',
      from: { path: '^shared/cloud/' },
      to: { path: '^shared/(?!cloud/|model\\.ts$|errors\\.ts$|ports\\.ts$|log\\.ts$|tool\\.ts$|pool\\.ts$)' },
    },
    {
      name: 'sdk-only-in-gateways',
      severity: 'error',
      comment: 'Only shared/cloud/ may import an SDK package; everything else calls a gateway.',
      from: { path: '^(shared|functions|cli)/', pathNot: '^shared/cloud/' },
      to: { path: SDK },
    },
    {
      name: 'oss-core-sealed',
      severity: 'error',
      comment:
        "The OSS gateway's call core and its ali-oss client (oss-core.ts, oss-client.ts) stay inside shared/cloud/: everything else calls OssGateway's methods, never an SDK client or a raw call().",
      from: { pathNot: '^shared/cloud/' },
      to: { path: '^shared/cloud/oss-(core|client)\\.ts$' },
    },
    {
      name: 'shared-imports-no-entry',
      severity: 'error',
      comment: 'The core library never imports an entry point, the emulator, the tests or the benchmarks.',
      from: { path: '^shared/' },
      to: { path: '^(functions|cli|test|bench|scripts|emulator)/' },
    },
    {
      name: 'product-imports-no-test',
      severity: 'error',
      comment: 'Product code and the emulator never import the test tree.',
      from: { path: '^(shared|functions|cli|emulator)/' },
      to: { path: '^test/' },
    },
    {
      name: 'emulator-not-in-bundles',
      severity: 'error',
      comment: 'A function bundle must never contain the emulator, however indirectly.',
      from: { path: '^functions/[^/]+/index\\.ts$' },
      to: { path: '^emulator/', reachable: true },
    },
    {
      name: 'cli-loads-emulator-lazily',
      severity: 'error',
      comment: 'The CLI loads the emulator only with import() in the commands that run it.',
      from: { path: '^cli/' },
      to: { path: '^emulator/', dynamic: false },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
