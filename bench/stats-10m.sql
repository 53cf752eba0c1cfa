-- Bulk history for bench/stats-10m.sh, run by the sqlite3 CLI on a migrated database whose catalog was created
-- through the API. The script substitutes @START@ (first day, yyyy-mm-dd), @DAYS@, @ROWS@ and @CODE_PREFIX@ (the
-- agencies' credit-code prefix) before running it, with the indexes of cases and ratings dropped (re-created after).
--
-- Rows as EF Core writes them on SQLite: Guids as upper-case TEXT, timestamps as TEXT 'yyyy-MM-dd HH:mm:ss' (whole
-- seconds, so no fraction), enums by name, booleans 0/1. Every case is finished, opened for rating on its day, and
-- has exactly one rating: an active one made the same local day (85 %), or the default (level 3, channel Default)
-- dated at the close of its 7-day window (15 %, only for cases opened at least 10 days before the period ends), so
-- the server's window job finds nothing to do. Levels, channels, follow-ups and exclusions are spread by a
-- multiplicative hash of the row number (deterministic: the same data on every run).
--
-- h(n, m, k): the top bits of n * m mod 2^32, scaled to 0 … k-1 (a Weyl sequence: evenly spread, no clumps).

PRAGMA foreign_keys = OFF;
PRAGMA synchronous = OFF;
PRAGMA journal_mode = OFF;
PRAGMA cache_size = -1048576;
PRAGMA temp_store = MEMORY;

-- The catalog the API created, numbered: agencies 0 … A-1 by credit code, their items and staff 0 … by code.
CREATE TEMP TABLE a AS
    SELECT row_number() OVER (ORDER BY CreditCode) - 1 AS idx, Id AS id FROM agencies WHERE CreditCode LIKE '@CODE_PREFIX@%';
CREATE TEMP TABLE it AS
    SELECT a.idx AS aidx, row_number() OVER (PARTITION BY i.AgencyId ORDER BY i.ItemCode) - 1 AS k, i.Id AS id
    FROM service_items i JOIN temp.a a ON a.id = i.AgencyId;
CREATE TEMP TABLE st AS
    SELECT a.idx AS aidx, row_number() OVER (PARTITION BY s.AgencyId ORDER BY s.EmployeeNo) - 1 AS k, s.Id AS id
    FROM staff s JOIN temp.a a ON a.id = s.AgencyId;
CREATE UNIQUE INDEX temp.it_key ON it (aidx, k);
CREATE UNIQUE INDEX temp.st_key ON st (aidx, k);
CREATE TEMP TABLE sizes AS
    SELECT (SELECT count(*) FROM temp.a) AS agencies,
           (SELECT count(*) FROM temp.it WHERE aidx = 0) AS items,
           (SELECT count(*) FROM temp.st WHERE aidx = 0) AS staff;

SELECT 'mark cases-start ' || printf('%.3f', julianday('now') * 86400);
BEGIN;
-- Case n: day n*DAYS/ROWS of the period; agency n mod A; item and staff by hash (one case in five names no staff);
-- decided (and opened for rating) between 09:00 and 18:00 Shanghai time (01:00-10:00 UTC); 80 % at a window,
-- 20 % online. The window closes at the local midnight after 7 natural days: 16:00 UTC of day d + 7.
INSERT INTO cases (
    Id, CaseNo, ItemId, AgencyId, StaffId, ServiceChannel, Status, CertificateNeeded, BatchNo, ThemeCode, ThemeCaseNo,
    ApplicantType, ApplicantNameEnc, IdType, IdNumberEnc, IdNumberIndex, MobileEnc, MobileIndex,
    AcceptedAt, DecidedAt, CertificateSignedAt, ReceiptAt, EndedAt, LastEventAt, RatingOpensAt, RatingClosesAt,
    RatingScope, EntryReason, ConfigVersion, JobStage, CreatedAt, UpdatedAt)
WITH RECURSIVE
    seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < @ROWS@ - 1),
    g AS (
        SELECT n,
               n % (SELECT agencies FROM temp.sizes) AS aidx,
               ((n * 2654435761) % 4294967296) * (SELECT items FROM temp.sizes) / 4294967296 AS ik,
               ((n * 2246822519) % 4294967296) * ((SELECT staff FROM temp.sizes) + 1) / 4294967296 AS sk,
               ((n * 3266489917) % 4294967296) * 100 / 4294967296 AS roll,
               ((n * 668265263) % 4294967296) * 32400 / 4294967296 AS secs,
               n * @DAYS@ / @ROWS@ AS d
        FROM seq),
    t AS (
        SELECT g.*,
               datetime('@START@', '+' || d || ' days', '+1 hours', '+' || secs || ' seconds') AS opens,
               date('@START@', '+' || (d + 7) || ' days') || ' 16:00:00' AS closes
        FROM g)
SELECT
    printf('0CA5E000-0000-7000-8000-%012X', n),
    printf('S%08d', n),
    it.id, a.id, st.id,
    CASE WHEN roll % 5 = 0 THEN 'Online' ELSE 'Window' END,
    'Approved', 0, NULL, NULL, NULL,
    '1', NULL, NULL, NULL, NULL, NULL, NULL,
    datetime(opens, '-2 hours'), opens, NULL, NULL, NULL, opens, opens, closes,
    'Full', 'decided', 1, 2, opens, opens
FROM t
JOIN temp.a a ON a.idx = t.aidx
JOIN temp.it it ON it.aidx = t.aidx AND it.k = t.ik
LEFT JOIN temp.st st ON st.aidx = t.aidx AND st.k = t.sk;
-- Each case's rating state (case n is row n + 1): 15 % of those opened at least 10 days before the period ends
-- closed unrated and were defaulted at the close, the rest were rated; so every case is done for the jobs
-- (JobStage 2 above).
INSERT INTO case_rating_states (Id, HasActiveRating, DefaultedAt, ReminderSentAt)
SELECT Id, CASE WHEN defaulted THEN 0 ELSE 1 END, CASE WHEN defaulted THEN RatingClosesAt END, NULL
FROM (SELECT c.Id, c.RatingClosesAt,
             ((c.rowid - 1) * 3266489917) % 4294967296 * 100 / 4294967296 < 15 AND (c.rowid - 1) * @DAYS@ / @ROWS@ <= @DAYS@ - 10 AS defaulted
      FROM cases c);
COMMIT;

SELECT 'mark ratings-start ' || printf('%.3f', julianday('now') * 86400);
BEGIN;
-- One rating per case, read back in row order. Active: the same local day, 1 to 5 hours after opening; levels
-- 60 % 5, 20 % 4, 10 % 3, 5 % 2, 5 % 1, each with a tag of its level; channels weighted like a hall-heavy
-- deployment; 2 % with a follow-up comment; 0.3 % excluded after an upheld appeal. Default: at the window's close.
INSERT INTO ratings (
    Id, CaseId, CaseNo, Step, Level, Indicators, Tags, Text, FollowUp, FollowUpAt, Channel, IsDefault, BatchNo,
    RaterIndex, Excluded, ExcludedReason, ExcludedAt, AgencyId, ItemId, StaffId, Day, ConfigVersion, CreatedAt)
WITH r AS (
    SELECT c.*, s.HasActiveRating,
           c.rowid - 1 AS n,
           ((c.rowid * 1597334677) % 4294967296) * 100 / 4294967296 AS lv,
           ((c.rowid * 3812015801) % 4294967296) * 100 / 4294967296 AS ch,
           ((c.rowid * 2891336453) % 4294967296) * 1000 / 4294967296 AS extra,
           ((c.rowid * 1103515245) % 4294967296) * 14400 / 4294967296 AS later
    FROM cases c JOIN case_rating_states s ON s.Id = c.Id),
q AS (
    SELECT r.*,
           CASE WHEN lv < 60 THEN 5 WHEN lv < 80 THEN 4 WHEN lv < 90 THEN 3 WHEN lv < 95 THEN 2 ELSE 1 END AS level,
           CASE WHEN HasActiveRating = 1 THEN datetime(RatingOpensAt, '+3600 seconds', '+' || later || ' seconds')
                ELSE RatingClosesAt END AS at
    FROM r)
SELECT
    printf('0A7E0000-0000-7000-8000-%012X', n),
    Id, CaseNo, 'main',
    CASE WHEN HasActiveRating = 1 THEN level ELSE 3 END,
    '{}',
    CASE WHEN HasActiveRating = 1 THEN CASE level WHEN 5 THEN '510' WHEN 4 THEN '406' WHEN 3 THEN '309' WHEN 2 THEN '209' ELSE '110' END
         ELSE '' END,
    NULL,
    CASE WHEN HasActiveRating = 1 AND extra < 20 THEN '办理很顺利，补充评价。' END,
    CASE WHEN HasActiveRating = 1 AND extra < 20 THEN datetime(at, '+10 minutes') END,
    CASE WHEN HasActiveRating = 0 THEN 'Default'
         WHEN ch < 40 THEN 'HallDevice' WHEN ch < 60 THEN 'QrCode' WHEN ch < 72 THEN 'App' WHEN ch < 82 THEN 'Pc'
         WHEN ch < 88 THEN 'Sms' WHEN ch < 92 THEN 'SelfServiceTerminal' WHEN ch < 95 THEN 'Hotline'
         WHEN ch < 98 THEN 'MiniProgram' ELSE 'Paper' END,
    1 - HasActiveRating, NULL, NULL,
    CASE WHEN extra >= 997 THEN 1 ELSE 0 END,
    CASE WHEN extra >= 997 THEN '申诉核实，不计入统计' END,
    CASE WHEN extra >= 997 THEN datetime(at, '+2 days') END,
    AgencyId, ItemId, StaffId,
    CAST(strftime('%Y%m%d', at, '+8 hours') AS INTEGER),
    1, at
FROM q;
COMMIT;
SELECT 'mark ratings-end ' || printf('%.3f', julianday('now') * 86400);

BEGIN;
-- A work order for every active bad rating (levels 1-2), as the rating service creates one in the rating's own
-- transaction. All of them are closed (a year of history; open ones would set the deadline job to work during the
-- measurements): contacted after 4 hours, replied after 3 days (one in ten after 9, past the 7-day reply deadline,
-- and then marked overdue), closed a day after the reply; verification 50 % founded, 20 % partly founded,
-- 25 % unfounded, 5 % malicious (founded ones rectified); the rater's satisfaction with the handling 60 % satisfied,
-- 25 % basically, 10 % dissatisfied, 5 % not given. Deadlines are calendar days here, not the server's working-day
-- calendar; the orders' event history (work_order_events) is not generated. Nothing is dated after now.
INSERT INTO work_orders (
    Id, No, RatingId, CaseId, CaseNo, AgencyId, ItemId, RatingExcluded, State, Round, Verification, Satisfaction, CreatedAt, ContactDueAt,
    ReplyDueAt, ExtendedDays, ContactedAt, RepliedAt, Rectified, ClosedAt, ClosedOnTime, PendingRerouteAgencyId,
    PendingExtensionDays, WarnedAt, OverdueAt, EscalatedAt, UpdatedAt, Version)
WITH w AS (
    SELECT r.rowid AS n, r.Id AS RatingId, r.CaseId, r.CaseNo, r.AgencyId, r.ItemId, r.Excluded, r.Day, r.CreatedAt,
           ((r.rowid * 2654435761) % 4294967296) * 100 / 4294967296 AS ve,
           ((r.rowid * 2246822519) % 4294967296) * 100 / 4294967296 AS sa,
           ((r.rowid * 3266489917) % 4294967296) * 100 / 4294967296 AS late
    FROM ratings r
    WHERE r.IsDefault = 0 AND r.Level <= 2),
x AS (
    SELECT w.*,
           CASE WHEN ve < 50 THEN 'Founded' WHEN ve < 70 THEN 'PartlyFounded' WHEN ve < 95 THEN 'Unfounded' ELSE 'Malicious' END AS verification,
           datetime(CreatedAt, '+7 days') AS reply_due,
           min(datetime(CreatedAt, CASE WHEN late < 10 THEN '+9 days' ELSE '+3 days' END), datetime('now')) AS replied
    FROM w)
SELECT
    printf('0B0D0000-0000-7000-8000-%012X', n),
    'GD' || Day || printf('%012X', n),
    RatingId, CaseId, CaseNo, AgencyId, ItemId, Excluded,
    'Closed', 1, verification,
    CASE WHEN sa < 60 THEN 'Satisfied' WHEN sa < 85 THEN 'BasicallySatisfied' WHEN sa < 95 THEN 'Dissatisfied' END,
    CreatedAt, datetime(CreatedAt, '+1 days'), reply_due, 0,
    min(datetime(CreatedAt, '+4 hours'), datetime('now')), replied,
    CASE WHEN verification IN ('Founded', 'PartlyFounded') THEN 1 ELSE 0 END,
    min(datetime(replied, '+1 days'), datetime('now')),
    CASE WHEN replied <= reply_due THEN 1 ELSE 0 END,
    NULL, NULL, NULL,
    CASE WHEN replied > reply_due THEN reply_due END,
    NULL,
    min(datetime(replied, '+1 days'), datetime('now')),
    6
FROM x;
COMMIT;
SELECT 'mark work-orders-end ' || printf('%.3f', julianday('now') * 86400);
