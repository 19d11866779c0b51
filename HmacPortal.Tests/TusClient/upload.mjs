// Uploads one file to HmacPortal with tus-js-client, as the test suite asks:
//   node upload.mjs '<json options>'
// options: endpoint, file, name, chunkSize, parallelUploads, uploadUrl (to resume), abortAfter (bytes), headers, retryDelays.
// Prints one JSON line per event: {"progress":n}, {"aborted":url}, {"done":url,"fileUrl":...} or {"error":...}.
import fs from 'node:fs';
import { Upload } from 'tus-js-client';

const options = JSON.parse(process.argv[2]);
const size = fs.statSync(options.file).size;
const print = (event) => process.stdout.write(JSON.stringify(event) + '\n');
let fileUrl = null;
let reported = 0;

// Parallel uploads slice their source, so they get the bytes; otherwise the file is streamed.
const parallel = (options.parallelUploads ?? 1) > 1;
const upload = new Upload(parallel ? fs.readFileSync(options.file) : fs.createReadStream(options.file), {
  endpoint: options.endpoint,
  uploadUrl: options.uploadUrl ?? null,
  ...(parallel ? {} : { uploadSize: size }),
  chunkSize: options.chunkSize ?? Infinity,
  parallelUploads: options.parallelUploads ?? 1,
  retryDelays: options.retryDelays ?? [0, 500, 1000],
  headers: options.headers ?? {},
  metadata: { filename: options.name, filetype: 'application/octet-stream' },
  onProgress(sent) {
    if (sent - reported >= (options.progressStep ?? 1048576) || sent === size) {
      reported = sent;
      print({ progress: sent });
    }

    if (options.abortAfter && sent >= options.abortAfter) {
      options.abortAfter = 0;
      upload.abort().then(() => { print({ aborted: upload.url }); process.exit(0); });
    }
  },
  onAfterResponse(request, response) {
    const header = response.getHeader('Upload-File-Url');
    if (header) {
      fileUrl = header;
    }
  },
  onSuccess() {
    print({ done: upload.url, fileUrl });
  },
  onError(error) {
    print({ error: String(error) });
    process.exitCode = 1;
  },
});

upload.start();
