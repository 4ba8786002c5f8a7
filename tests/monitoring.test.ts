/**
 * The cluster monitor of docker-compose-monitor.yml: Telegraf's config, the
 * Grafana provisioning and the BigchainDB dashboard, checked against each
 * other, against the compose file and against the metrics catalog
 * (metrics/names.ts). No Docker engine runs here: the images were never
 * pulled, so these checks are static.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import YAML from 'yaml';
import { METRICS, type MetricName, type StatsdType } from '../metrics/names';
import { parsePort, parseVolume, readCompose, readRepoFile, REPO_ROOT, serviceEnvironment, type ComposeService } from './helpers/compose';

interface TelegrafConfig {
  agent: { interval: string; omit_hostname: boolean };
  inputs: { statsd: [{
    protocol: string; service_address: string; templates: string[]; metric_separator: string; percentiles: number[];
    delete_counters: boolean; delete_gauges: boolean; delete_timings: boolean;
  }] };
  outputs: { influxdb_v2: [{ urls: string[]; token: string; organization: string; bucket: string }] };
}
interface Datasource { name: string; uid: string; type: string; url: string; jsonData: { version: string; organization: string; defaultBucket: string }; secureJsonData: { token: string } }
interface Target { refId: string; datasource: { uid: string }; query: string }
interface Panel { id: number; type: string; title: string; datasource?: { uid: string }; gridPos: { h: number; w: number; x: number; y: number }; targets?: Target[] }
interface Dashboard { uid: string; panels: Panel[]; templating: { list: { name: string; query: string; datasource: { uid: string } }[] } }

const compose = readCompose('docker-compose-monitor.yml');
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  assert.ok(found !== undefined, `docker-compose-monitor.yml has a service "${name}"`);
  return found;
};
const telegraf = parseToml(readRepoFile('monitoring/telegraf/telegraf.conf')) as unknown as TelegrafConfig;
const statsd = telegraf.inputs.statsd[0];
const [datasource] = (YAML.parse(readRepoFile('monitoring/grafana/provisioning/datasources/influxdb.yml')) as { datasources: Datasource[] }).datasources;
const dashboard = JSON.parse(readRepoFile('monitoring/grafana/dashboards/bigchaindb.json')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

/** The InfluxDB setup: what the influxdb service creates on its first start. */
const influxSetup = serviceEnvironment(service('influxdb'));

/** A `$VAR` or `${VAR}` of a config file, resolved in `serviceName`'s environment as the compose file sets it. */
function resolvedIn(serviceName: string, reference: string): string {
  const match = /^\$\{?(\w+)\}?$/.exec(reference);
  assert.ok(match !== null, `${JSON.stringify(reference)} names an environment variable`);
  const value = serviceEnvironment(service(serviceName))[match[1]!];
  assert.ok(value !== undefined, `the ${serviceName} service sets ${match[1]}`);
  return value;
}

/** The InfluxDB URL of the compose file: its service name and the port the influxdb image listens on. */
function assertInfluxdbUrl(url: string): void {
  const influxdbPort = (service('influxdb').ports ?? []).map(parsePort)[0]!.target;
  assert.equal(url, `http://influxdb:${influxdbPort}`);
}

/**
 * Telegraf's measurement for a metric. The template `host.measurement*` with
 * metric_separator "_" takes the first dot-separated part of the StatsD name
 * (`<hostname>.`, see metrics/statsd.ts) as the tag host and joins the rest
 * with "_": `bdb1.block.written` → measurement block_written, host=bdb1.
 */
const measurementOf = (name: MetricName) => name.replace(/\./g, statsd.metric_separator);

/**
 * The fields Telegraf's statsd input writes for a metric of each StatsD type:
 * `value` for counters and gauges; for timers and histograms the statistics
 * of the interval and one `<p>_percentile` per configured percentile (Go's
 * %v of the number: 90.0 → "90", as JavaScript prints it).
 */
function fieldsOf(type: StatsdType): string[] {
  if (type === 'c' || type === 'g') return ['value'];
  return ['mean', 'median', 'stddev', 'sum', 'upper', 'lower', 'count', ...statsd.percentiles.map((p) => `${p}_percentile`)];
}

const quoted = (query: string, pattern: RegExp) => [...query.matchAll(pattern)].map((m) => m[1]!);
const measurementsIn = (query: string) => quoted(query, /r\._measurement == "([^"]+)"/g);
const fieldsIn = (query: string) => quoted(query, /r\._field == "([^"]+)"/g);
const bucketsIn = (query: string) => quoted(query, /bucket: "([^"]+)"/g);

describe('Telegraf (monitoring/telegraf/telegraf.conf)', () => {
  test('parses as TOML and listens for StatsD on 8125/udp, which the telegraf service publishes', () => {
    assert.equal(statsd.protocol, 'udp');
    assert.equal(statsd.service_address, ':8125');
    const ports = (service('telegraf').ports ?? []).map(parsePort);
    assert.ok(ports.some((p) => p.published === 8125 && p.target === 8125 && p.protocol === 'udp'), '8125/udp published');
    const mounts = (service('telegraf').volumes ?? []).map((v) => parseVolume(v));
    assert.ok(mounts.some((m) => m.source === './monitoring/telegraf/telegraf.conf' && m.target === '/etc/telegraf/telegraf.conf'), 'the image reads /etc/telegraf/telegraf.conf');
  });

  test('makes `<hostname>.<metric>` the tag host and the measurement <metric>, dots made underscores (template host.measurement*)', () => {
    assert.deepEqual(statsd.templates, ['host.measurement*']);
    assert.equal(statsd.metric_separator, '_');
    assert.equal(telegraf.agent.omit_hostname, true, "Telegraf's own host tag would compete with the node's");
    for (const name of Object.keys(METRICS)) {
      assert.match(name, /^[a-z_]+(\.[a-z_]+)*$/, `${name}: only dots for Telegraf to turn into "_", nothing it would change otherwise`);
    }
  });

  test('counters, timers and gauges restart every interval, and timers get percentiles', () => {
    assert.equal(statsd.delete_counters, true, 'a counter point is the count of its interval, which the dashboard turns into a rate');
    assert.equal(statsd.delete_timings, true);
    assert.equal(statsd.delete_gauges, true, 'a node that stops sending leaves the backlog sum');
    assert.ok(statsd.percentiles.includes(90));
  });

  test("writes to the influxdb service with the org, bucket and token of the compose file's InfluxDB setup", () => {
    const [output] = telegraf.outputs.influxdb_v2;
    assert.equal(output.urls.length, 1);
    assertInfluxdbUrl(output.urls[0]!);
    assert.equal(influxSetup.DOCKER_INFLUXDB_INIT_MODE, 'setup');
    assert.equal(resolvedIn('telegraf', output.organization), influxSetup.DOCKER_INFLUXDB_INIT_ORG);
    assert.equal(resolvedIn('telegraf', output.bucket), influxSetup.DOCKER_INFLUXDB_INIT_BUCKET);
    assert.equal(resolvedIn('telegraf', output.token), influxSetup.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN);
    assert.ok(influxSetup.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN, 'a token');
  });
});

describe('docker-compose-monitor.yml', () => {
  test('runs official images: InfluxDB 2, Telegraf 1, Grafana on port 3000', () => {
    assert.match(service('influxdb').image!, /^influxdb:2\.\d+$/);
    assert.match(service('telegraf').image!, /^telegraf:1\.\d+$/);
    assert.match(service('grafana').image!, /^grafana\/grafana:\d+\.\d+\.\d+$/);
    assert.ok((service('grafana').ports ?? []).map(parsePort).some((p) => p.published === 3000 && p.target === 3000));
  });

  test('keeps the InfluxDB data in $INFLUXDB_DATA, ./influxdb-data when it is not set', () => {
    const dataMount = (env: Record<string, string>) => (service('influxdb').volumes ?? []).map((v) => parseVolume(v, env)).find((m) => m.target === '/var/lib/influxdb2');
    assert.equal(dataMount({ INFLUXDB_DATA: '/data' })?.source, '/data');
    assert.equal(dataMount({})?.source, './influxdb-data');
    assert.ok(readRepoFile('.gitignore').split('\n').includes('influxdb-data/'), 'the default folder is not committed');
  });
});

describe('Grafana provisioning (monitoring/grafana/provisioning)', () => {
  const grafanaMounts = (service('grafana').volumes ?? []).map((v) => parseVolume(v));
  const mountOf = (source: string) => grafanaMounts.find((m) => m.source === source)?.target;

  test('is mounted where Grafana reads provisioning files', () => {
    assert.equal(mountOf('./monitoring/grafana/provisioning'), '/etc/grafana/provisioning');
  });

  test('the data source is the influxdb service, in Flux, with the org, bucket and token of the InfluxDB setup', () => {
    assert.equal(datasource.type, 'influxdb');
    assertInfluxdbUrl(datasource.url);
    assert.equal(datasource.jsonData.version, 'Flux');
    assert.equal(resolvedIn('grafana', datasource.jsonData.organization), influxSetup.DOCKER_INFLUXDB_INIT_ORG);
    assert.equal(resolvedIn('grafana', datasource.jsonData.defaultBucket), influxSetup.DOCKER_INFLUXDB_INIT_BUCKET);
    assert.equal(resolvedIn('grafana', datasource.secureJsonData.token), influxSetup.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN);
  });

  test('the dashboard provider reads the folder the compose file mounts from monitoring/grafana/dashboards, which is also the home dashboard\'s', () => {
    const { providers } = YAML.parse(readRepoFile('monitoring/grafana/provisioning/dashboards/bigchaindb.yml')) as { providers: { type: string; options: { path: string } }[] };
    assert.equal(providers.length, 1);
    const folder = mountOf('./monitoring/grafana/dashboards');
    assert.equal(providers[0]!.type, 'file');
    assert.equal(providers[0]!.options.path, folder);
    const home = serviceEnvironment(service('grafana')).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    assert.ok(home.startsWith(`${folder}/`));
    assert.ok(existsSync(join(REPO_ROOT, 'monitoring/grafana/dashboards', home.slice(folder!.length + 1))), `${home} is a file of the repository`);
  });
});

describe('Grafana dashboard (monitoring/grafana/dashboards/bigchaindb.json)', () => {
  test('every panel has a Flux query, on the provisioned data source and bucket', () => {
    assert.ok(queryPanels.length > 0);
    const bucket = influxSetup.DOCKER_INFLUXDB_INIT_BUCKET;
    for (const panel of queryPanels) {
      assert.equal(panel.datasource?.uid, datasource.uid, `${panel.title}: the provisioned data source`);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has a query`);
      for (const target of panel.targets!) {
        assert.equal(target.datasource.uid, datasource.uid);
        assert.deepEqual(bucketsIn(target.query), [bucket], `${panel.title} ${target.refId}: from(bucket: "${bucket}")`);
      }
    }
    for (const variable of dashboard.templating.list) {
      assert.equal(variable.datasource.uid, datasource.uid);
      assert.deepEqual(bucketsIn(variable.query), [bucket]);
    }
  });

  test("every measurement it queries is a metrics/names.ts metric as Telegraf's template names it, with a field Telegraf writes for that metric's type", () => {
    const byMeasurement = new Map(Object.entries(METRICS).map(([name, type]) => [measurementOf(name as MetricName), type]));
    for (const panel of queryPanels) {
      for (const { refId, query } of panel.targets!) {
        const where = `${panel.title} ${refId}`;
        const measurements = measurementsIn(query);
        const fields = fieldsIn(query);
        assert.ok(measurements.length > 0 && fields.length > 0, `${where} names its measurement and field`);
        for (const measurement of measurements) {
          const type = byMeasurement.get(measurement);
          assert.ok(type !== undefined, `${where}: ${measurement} is no metric of metrics/names.ts`);
          for (const field of fields) assert.ok(fieldsOf(type).includes(field), `${where}: Telegraf writes no field ${field} for ${measurement} (type ${type})`);
        }
      }
    }
  });

  test('shows the metrics an operator needs: transactions accepted and rejected, blocks written and their size, vote latency, backlog size and the rest', () => {
    const queried = new Set(queryPanels.flatMap((p) => p.targets!.flatMap((t) => measurementsIn(t.query))));
    const needed: MetricName[] = [
      'api.transactions.accepted', 'api.transactions.rejected', 'block.written', 'block.size', 'vote.latency', 'backlog.size',
      'block.creation_time', 'block.transactions.rejected', 'vote.transactions.rejected', 'vote.cast.valid',
      'election.valid', 'election.requeued', 'stale.reassigned', 'changefeed.reconnects', 'write_transaction',
    ];
    for (const name of needed) assert.ok(queried.has(measurementOf(name)), `${name} is on the dashboard`);
  });

  test('panels do not overlap on the 24-column grid', () => {
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      assert.ok(x >= 0 && x + w <= 24, `${panel.title} fits the width`);
      for (let row = y; row < y + h; row++) {
        for (let column = x; column < x + w; column++) {
          const other = cells.get(`${row},${column}`);
          assert.equal(other, undefined, `${panel.title} overlaps ${other}`);
          cells.set(`${row},${column}`, panel.title);
        }
      }
    }
  });
});
