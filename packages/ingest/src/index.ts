/**
 * `@lakeblocks/ingest`: upload validation, streaming CSV → typed Arrow record batches, cleaning
 * rules declared per table, rejects files, and the Hive-partitioned Parquet dataset writer
 * (raw → processed), plus the incremental raw → processed job driven by bookmarks.
 *
 * @packageDocumentation
 */
export { IngestError } from './errors/ingest-error.js';
export type { IngestErrorTag, IngestErrorContext, IngestErrorOptions, UploadRefusalReason } from './errors/ingest-error.js';

export { tableForFileName, unsafeNameReason } from './upload/table-for-file.js';
export { uploadFile, uploadStream, DEFAULT_MAX_UPLOAD_BYTES } from './upload/upload-file.js';
export type { UploadOptions, UploadResult } from './upload/upload-file.js';

export { Utf8ChunkDecoder, countLf, locateInvalidUtf8 } from './csv/utf8.js';
export type { Utf8Failure } from './csv/utf8.js';
export { CsvTokenizer, CsvRecordView, FIELD_PLAIN, FIELD_QUOTED, FIELD_BUILT } from './csv/csv-tokenizer.js';
export type { CsvRecord, CsvTokenizerOptions } from './csv/csv-tokenizer.js';
export { DEFAULT_BATCH_ROWS, readCsvBatches } from './csv/read-csv.js';
export { PrimaryKeySet } from './dedupe/primary-key-set.js';
export type { SeenKeys } from './dedupe/primary-key-set.js';
export type { ReadCsvOptions, PartitionedBatch, CsvReadStats, CsvBatchReader } from './csv/read-csv.js';

export { defineCleaning } from './cleaning/cleaning-rules.js';
export type { CleaningRules, TableCleaning, RowCheck, ColumnName } from './cleaning/cleaning-rules.js';
export { normalizeColumnName } from './cleaning/column-names.js';
export { BUILTIN_COERCIONS, resolveCoercions } from './cleaning/coercions.js';
export type { Coercion, CoercionFn, CoercionFailure } from './cleaning/coercions.js';
export { valueParserFor, rangeParserFor, epochDay, civilFromEpochDay } from './cleaning/value-parsers.js';
export type { CellValue, ParseOutcome, ValueParser, RangeParser } from './cleaning/value-parsers.js';

export { columnBuilderFor, recordBatchOf } from './arrow/column-builder.js';
export type { ColumnBuilder } from './arrow/column-builder.js';

export { RejectsWriter } from './rejects/rejects-writer.js';
export { REJECTS_HEADER, csvField, rejectLine } from './rejects/rejected-row.js';
export type { RejectedRow } from './rejects/rejected-row.js';

export {
  hyparquetEncoder,
  parquetWasmEncoder,
  adaptiveEncoder,
  loadParquetWasm,
  plainColumns,
  DEFAULT_ROW_GROUP_SIZE,
  ADAPTIVE_LARGE_FILE_ROWS,
} from './parquet/parquet-encoder.js';
export type { ParquetEncoder, EncodeOptions } from './parquet/parquet-encoder.js';
export { arrowParquetEncoder, encodeArrowParquet } from './parquet/arrow-parquet-encoder.js';
export type { ArrowParquetOptions } from './parquet/arrow-parquet-encoder.js';
export { ParquetDatasetWriter, sourceDigest } from './parquet/dataset-writer.js';
export type { WriteMode, DatasetWriterOptions, WrittenFile, DatasetCommitResult, EncodedParquetFile } from './parquet/dataset-writer.js';

export { ingestCsvFile } from './parallel/ingest-csv-file.js';
export type { IngestCsvFileOptions, IngestCsvFileResult } from './parallel/ingest-csv-file.js';
export { portableCleaning, restoreCleaning } from './parallel/portable-cleaning.js';
export type { PortableCleaning } from './parallel/portable-cleaning.js';

export { DuckDbEngine, loadDuckDb } from './duckdb-engine/duckdb-engine.js';
export type { DuckDbEngineOptions } from './duckdb-engine/duckdb-engine.js';
export { ingestCsvWithDuckDb } from './duckdb-engine/ingest-csv-with-duckdb.js';
export type { IngestCsvWithDuckDbOptions, IngestCsvWithDuckDbResult } from './duckdb-engine/ingest-csv-with-duckdb.js';

export { runRawToProcessed, rawToProcessedStep, rawToProcessedStepOutput } from './job/raw-to-processed.js';
export type { RawToProcessedOptions, RawToProcessedResult, FileReport, TableReport } from './job/raw-to-processed.js';
