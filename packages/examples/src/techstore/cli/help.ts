/**
 * `--help` texts of the TechStore CLI.
 *
 * @module
 */

/** Help of `pnpm techstore` without a command. */
export const MAIN_HELP = `TechStore example lake: generate data, upload it, run the pipeline, query the lake.

Usage: pnpm techstore <command> [options]      (run from the repository root; pnpm -s techstore … for quiet pnpm)

Commands:
  generate --out DIR [--scale N] [--seed S] [--from DIR]   write a synthetic TechStore dataset (CSV)
  upload [--lake DIR] [--batch NAME] FILE...                validate CSVs and copy them into raw/
  run [--lake DIR] [--data DIR] [--scale N] [--seed S] [--mysql URL]
                                                            upload, raw → processed → curated (→ MySQL), answer the business questions
  watch [--lake DIR] [--interval SECONDS]                   rerun the pipeline whenever new files land in raw/ (local or s3://)
  query [--lake DIR] "SQL"                                  ad-hoc SQL over the lake's tables (DuckDB), printed as a table

Options of every command:
  -h, --help     this help, or the command's
  --verbose      print the stack trace of an error

The default lake is ./.lake; relative paths are relative to the directory you ran pnpm from.
On AWS, --lake s3://bucket/prefix with --region, --glue-database and --athena-workgroup / --athena-output
(see "pnpm techstore run --help").
Run "pnpm techstore <command> --help" for details.
`;

/** Help of each command. */
export const COMMAND_HELP: Record<string, string> = {
  generate: `Usage: pnpm techstore generate --out DIR [--scale N] [--seed S] [--from DIR]

Writes the seven TechStore tables as CSV into DIR (orders, order_items, products, reviews, customers,
sessions, events) with the real dataset's schemas and invariants: line totals, subtotals and totals
reconcile; every order has exactly one purchase event (its amount, payment and discount) in a session
of its customer, device, source and country. At scale 1 the counts are the real ones (33,580 orders,
760,958 events, …). Output is streamed and deterministic: the same seed gives the same bytes.

  --out DIR      where to write <table>.csv (created if missing)
  --scale N      size relative to the real dataset (default 1; e.g. 0.01 for a quick sample)
  --seed S       random seed (default 42)
  --from DIR     a directory with some real tables (<table>*.csv): only the missing tables are
                 written, consistent with them (e.g. sessions and events for real orders)
`,
  upload: `Usage: pnpm techstore upload [--lake DIR] [--batch NAME] FILE...

Validates each CSV (name starting with a table name, .csv, UTF-8, header, at least one row, no
unterminated quote) and copies it byte for byte to raw/<table>/<batch>/<file>. A refused file is
named with the reason, and the exit code is 1. The same file uploaded twice is stored once.

  --lake DIR     the lake (default ./.lake)
  --batch NAME   batch folder under raw/<table>/ (default: a digest of the file's bytes)
  --lake s3://bucket/prefix [--region R] [--endpoint URL]   upload into an S3 lake
`,
  run: `Usage: pnpm techstore run [--lake DIR|s3://bucket/prefix] [--data DIR] [--scale N] [--seed S] [--mysql URL] [--no-fsync]
                             [--region R] [--endpoint URL] [--glue-database NAME] [--athena-workgroup WG] [--athena-output S3URI]

Runs the pipeline: upload every CSV in --data (generating sessions and events consistent with the
given orders when neither the data nor the lake has them), raw → processed (only new raw files,
by bookmark), curated (only the partitions new files touch; everything on the first run), then
prints the answers to the three business questions. On an empty lake without --data it generates
the demo dataset first. Every run writes _state/runs/<run-id>.json (steps, rows, bytes, AWS
cost estimate). Progress goes to stderr; answers to stdout.

  --lake DIR     the lake (default ./.lake)
  --data DIR     a directory of CSVs to upload first
  --scale N      scale of the generated demo dataset (default 1)
  --seed S       seed of generated data (default 42)
  --mysql URL    after curated, load every curated table into this MySQL / MariaDB database
                 (step mysql-load, mode replace: a rerun leaves the same rows), e.g.
                 mysql://root@127.0.0.1:3306/techstore; the password is never printed
  --no-fsync     do not fsync lake files (faster; for throw-away lakes)

AWS (an s3://bucket/prefix --lake; credentials from the AWS SDK's usual chain — environment,
profile, instance role — never printed):
  --region R             AWS region (default AWS_REGION / AWS_DEFAULT_REGION; required for s3://)
  --endpoint URL         an S3-compatible store (MinIO, s3rver): S3 calls only, path-style;
                         the region then defaults to us-east-1
  --glue-database NAME   Glue database of the processed and curated tables
  --athena-workgroup WG  Athena workgroup running the models and queries
  --athena-output S3URI  where Athena writes query results (unless the workgroup enforces it)

With an s3:// lake the same steps run through S3; a "catalog" step registers the processed tables
and their partitions in Glue (partitions added and removed to match the files), the curated models
run on Athena (CTAS into a fresh prefix, then the catalog is repointed; superseded data deleted;
each model's rows are counted back with a count(*) on Athena), and the answers and dashboard
(reports/ in the bucket) come from Athena. --glue-database and an Athena option are required:
DuckDB cannot read s3:// here (its httpfs extension would have to be downloaded). --mysql loads
the curated tables from the Parquet files the Glue catalog points at (found with Athena's "$path"),
read from S3, each under its own name.
`,
  watch: `Usage: pnpm techstore watch [--lake DIR|s3://bucket/prefix] [--interval SECONDS] [--list-timeout SECONDS] [--no-fsync]
                               [--region R] [--endpoint URL] [--glue-database NAME] [--athena-workgroup WG] [--athena-output S3URI]

Lists raw/ every --interval seconds and reruns the pipeline, printing the same summary and answers
as "run", whenever a file there is new or replaced (its key, ETag or size changed; e.g. from
"pnpm techstore upload" in another terminal). The files already there are caught up at start.
A failed run is reported and watching goes on; a listing that fails (after a timeout or an S3
error, retried 3 times) is reported and tried again at the next interval. An empty lake is left
alone. Ctrl-C stops.

  --lake DIR             the lake (default ./.lake)
  --interval SECONDS     how often raw/ is listed (default 5)
  --list-timeout SECONDS bound on one listing of raw/, every page (default 30)
  --no-fsync             do not fsync lake files

An s3://bucket/prefix lake is polled through S3 (the polling alternative to an S3 event →
EventBridge trigger) and each run is "run" on that lake, so it takes run's AWS flags:
  --region R  --endpoint URL  --glue-database NAME  --athena-workgroup WG  --athena-output S3URI
`,
  query: `Usage: pnpm techstore query [--lake DIR] [--max-rows N] "SQL"

Runs SQL on DuckDB over the lake: every processed table (orders, order_items, products, reviews,
customers, sessions, events) and curated model (fact_orders_enriched, kpi_monthly, funnel_monthly,
breakdown_*_monthly, …) is a view of its name. Prints an aligned table.

  --lake DIR       the lake (default ./.lake)
  --max-rows N     rows printed at most (default 200)
  --lake s3://bucket/prefix --glue-database NAME --athena-workgroup WG [--athena-output S3URI] [--region R]
                   run the SQL on Athena over the Glue tables instead
`,
};
