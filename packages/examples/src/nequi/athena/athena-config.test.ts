import { AthenaClient, CreateWorkGroupCommand, InvalidRequestException, UpdateWorkGroupCommand } from '@aws-sdk/client-athena';
import { AthenaEngine } from '@lakeblocks/transform/athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { nequiModels, transactionsEnriched } from '../models/index.js';
import { ATHENA_ENGINE_VERSION, nequiAnalystQuery, nequiAthenaEngineOptions, nequiWorkGroups, provisionNequiWorkGroups, type NequiAwsLake } from './athena-config.js';

const lake: NequiAwsLake = { bucket: 'nequi-lake', database: 'nequi_curated', inputDatabase: 'nequi_processed', resultsBucket: 'nequi-athena-results', accountId: '123456789012' };
const athena = mockClient(AthenaClient);
const meta = { $metadata: {} };

afterEach(() => athena.reset());

describe('Nequi on Athena', () => {
  it('runs the same models with an AthenaEngine writing to s3://<bucket>/curated/<model>/ on the ETL work group', () => {
    const options = nequiAthenaEngineOptions(new AthenaClient({ region: 'us-east-1' }), lake);
    const engine = new AthenaEngine(options);
    expect(options.models).toBe(nequiModels);
    expect(options.workGroup).toBe('nequi-etl');
    expect(engine.target(transactionsEnriched)).toEqual({
      database: 'nequi_curated',
      inputDatabase: 'nequi_processed',
      location: 's3://nequi-lake/curated/transactions_enriched/',
      models: nequiModels.map((m) => m.name),
    });
  });

  it('work groups enforce their configuration: result location and encryption, bytes-scanned cutoff, metrics, engine v3', () => {
    const [etl, analysts] = nequiWorkGroups(lake, { analystCutoffGb: 5 });
    expect(etl?.Name).toBe('nequi-etl');
    expect(analysts?.Name).toBe('nequi-analysts');
    expect(analysts?.Configuration).toEqual({
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      BytesScannedCutoffPerQuery: 5 * 1024 ** 3,
      RequesterPaysEnabled: false,
      EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE_VERSION },
      ResultConfiguration: { OutputLocation: 's3://nequi-athena-results/nequi-analysts/', EncryptionConfiguration: { EncryptionOption: 'SSE_S3' }, ExpectedBucketOwner: '123456789012' },
    });
    expect(etl?.Configuration?.BytesScannedCutoffPerQuery).toBe(200 * 1024 ** 3);
    expect(etl?.Configuration?.ResultConfiguration?.OutputLocation).toBe('s3://nequi-athena-results/nequi-etl/');
    // Athena's minimum cutoff is 10 MB.
    for (const g of nequiWorkGroups(lake)) expect(g.Configuration?.BytesScannedCutoffPerQuery).toBeGreaterThanOrEqual(10_000_000);
  });

  it('analyst queries reuse results up to maxAgeMinutes on the analysts work group', () => {
    expect(nequiAnalystQuery('SELECT 1', lake, { maxAgeMinutes: 15 })).toEqual({
      QueryString: 'SELECT 1',
      WorkGroup: 'nequi-analysts',
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'nequi_curated' },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 15 } },
    });
    for (const bad of [0, 10_081, 1.5]) expect(() => nequiAnalystQuery('SELECT 1', lake, { maxAgeMinutes: bad })).toThrow(/maxAgeMinutes/);
  });

  it('provisioning creates missing work groups and updates existing ones to the same settings', async () => {
    athena.on(CreateWorkGroupCommand, { Name: 'nequi-etl' }).resolves({});
    athena.on(CreateWorkGroupCommand, { Name: 'nequi-analysts' }).rejects(new InvalidRequestException({ message: 'WorkGroup nequi-analysts is already created', ...meta }));
    athena.on(UpdateWorkGroupCommand).resolves({});
    const inputs = nequiWorkGroups(lake);
    expect(await provisionNequiWorkGroups(new AthenaClient({ region: 'us-east-1' }), inputs)).toEqual([
      { name: 'nequi-etl', action: 'created' },
      { name: 'nequi-analysts', action: 'updated' },
    ]);
    const update = athena.commandCalls(UpdateWorkGroupCommand)[0]?.args[0].input;
    expect(update?.WorkGroup).toBe('nequi-analysts');
    expect(update?.ConfigurationUpdates).toEqual({
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      RequesterPaysEnabled: false,
      EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE_VERSION },
      ResultConfigurationUpdates: { OutputLocation: 's3://nequi-athena-results/nequi-analysts/', EncryptionConfiguration: { EncryptionOption: 'SSE_S3' }, ExpectedBucketOwner: '123456789012' },
    });
  });

  it('provisioning rethrows any other error', async () => {
    athena.on(CreateWorkGroupCommand).rejects(new InvalidRequestException({ message: 'Invalid OutputLocation', ...meta }));
    await expect(provisionNequiWorkGroups(new AthenaClient({ region: 'us-east-1' }), nequiWorkGroups(lake))).rejects.toThrow(/Invalid OutputLocation/);
    expect(athena.commandCalls(UpdateWorkGroupCommand)).toHaveLength(0);
  });
});
