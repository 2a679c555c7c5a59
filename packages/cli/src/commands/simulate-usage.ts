export const simulateUsage = `usage: fleetpivot simulate [options]

Creates tenant.tbl_data_timeseries (if missing) and writes a simulated fleet: ship ids from real IMO numbers,
data_channel_id from the 20,052 distinct real ISO 19848 Local IDs, value_format fixed per channel
(about 70% Decimal, 15% Integer, 10% Boolean, 5% String), one sample per channel every 15 s.
Same --seed, same ships, channels and values.

Connection and table
  --url URL                 PostgreSQL to write to (default: the local stack's source database, started if
                            needed; FLEETPIVOT_SOURCE_URL overrides it)
  --schema NAME --table NAME  default tenant.tbl_data_timeseries
  --primary-key             PRIMARY KEY (ship_id, data_channel_id, created_time) (default)
  --no-primary-key          no key at all, like many real sites
  --replica-identity-full   with --no-primary-key: ALTER TABLE ... REPLICA IDENTITY FULL
  --reset                   drop the table first

Fleet
  --ships N                 ships at the start (default 10)
  --channels M              channels per ship, each ship its own subset (default 50, at most 20052)
  --seed S                  0..4294967295 (default 1)
  --sample-ms MS            sample period (default 15000)

History (bulk COPY in transactions of --chunk-rows rows)
  --history-days D          D days of samples per channel (fractions allowed)
  --history-rows N          exactly N rows (the oldest sample step is partly filled)
  --history-end TIME        history ends just before this ISO time (default now); fix it for identical content
  --chunk-rows N            rows per transaction (default 200000)

Live (one transaction per ship and tick, like a ship's minute batch)
  --live                    write live batches after any history
  --interval-ms MS          wall-clock time between ticks (default 60000); ticks never drift, overruns are reported
  --batch-ms MS             simulated time per tick (default --interval-ms); e.g. --interval-ms 1000 --batch-ms 60000
  --ticks N | --duration-ms MS   stop after N ticks or MS milliseconds (default: until Ctrl-C)
  --start-time TIME         start of the first tick's window (default: end of history, else now or after the newest row)
  --late-rate R             share of samples delivered 1..--max-late-ticks (default 5) ticks late
  --update-rate R           UPDATEs per ship and tick as a share of its rows per tick, of any existing row
  --delete-rate R           DELETEs likewise
  --new-channel-rate R      chance per ship and tick that a new channel appears
  --new-ship-rate R         chance per tick that a new ship appears
  Rates are numbers from 0 to 1 (default 0).

Output
  --json                    print one JSON object (the history and live counts) on the last line
`;
