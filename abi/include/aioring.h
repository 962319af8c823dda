/*
 * aioring.h - the aioring ABI for C readers: every offset and flag of docs/abi.md, and a reaper.
 *
 * Written from docs/abi.md alone (sections 1 and 2). Linux, little-endian, C11 atomics, no dependencies beyond
 * the C library; compiles as the first include of a file under -std=c11 -Wall -Wextra -Werror -pedantic.
 * A reaper maps the ring file MAP_SHARED read-write, checks the header once, then reaps with
 * aioring_reap(): copy whole records out, then compare-and-swap head; a failed CAS voids the copy.
 */
#ifndef AIORING_H
#define AIORING_H

/*
 * open(2)'s O_CLOEXEC and syscall(2) are not in strict C11: ask the C library for them. This works when the header
 * is the first one a file includes (or the file defines _GNU_SOURCE itself, before any include).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* 1.2 ring header */
#define AIORING_MAGIC               0x00474E49524F4941ULL   /* "AIORING\0" */
#define AIORING_ABI_VERSION         1u
#define AIORING_HEADER_LENGTH       4096u
#define AIORING_OFF_MAGIC           0
#define AIORING_OFF_ABI_VERSION     8
#define AIORING_OFF_HEADER_LENGTH   12
#define AIORING_OFF_COMPAT          16
#define AIORING_OFF_INCOMPAT        24
#define AIORING_OFF_DATA_LENGTH     32
#define AIORING_OFF_MAX_PAYLOAD     36
#define AIORING_OFF_PRODUCER_PID    40
#define AIORING_OFF_TRAILER_LENGTH  44    /* u32: bytes after the data area (1.2) */
#define AIORING_OFF_FLAGS           128
#define AIORING_OFF_DOORBELL        132
#define AIORING_OFF_HEARTBEAT       136
#define AIORING_OFF_HEAD            256
#define AIORING_OFF_TAIL            384
#define AIORING_MIN_DATA_LENGTH     1024u
#define AIORING_MAX_DATA_LENGTH     (1u << 30)

/* 1.3 flags */
#define AIORING_FLAG_OVERFLOW_PENDING 0x1u
#define AIORING_FLAG_NOTIFY_DISABLED  0x2u
#define AIORING_FLAG_PRODUCER_CLOSED  0x4u
#define AIORING_FLAG_CORRUPTED        0x8u

/* 1.4 records */
#define AIORING_RECORD_HEADER       8u
#define AIORING_RECORD_FILLER       0u
#define AIORING_RECORD_EVENT        1u
#define AIORING_ALIGN8(x)           (((x) + 7u) & ~7u)

/* 2.6 events (offsets within a record's payload) */
#define AIORING_EVENT_USER_DATA     0
#define AIORING_EVENT_RESULT        8
#define AIORING_EVENT_FLAGS         16
#define AIORING_EVENT_OPCODE        20
#define AIORING_EVENT_ATTR_COUNT    22
#define AIORING_EVENT_SEQUENCE      24
#define AIORING_EVENT_HEADER        32
#define AIORING_EVENT_OVERFLOWED    0x1u
#define AIORING_EVENT_MORE          0x2u

/* 2.7 attribute return records */
#define AIORING_ATTR_ID             0
#define AIORING_ATTR_STATUS         2
#define AIORING_ATTR_VERSION        3
#define AIORING_ATTR_PAYLOAD_LENGTH 4
#define AIORING_ATTR_HEADER         8

/* 2.10 context area, 2.11 features */
#define AIORING_OFF_OVERFLOW_LENGTH 544
#define AIORING_OFF_HEARTBEAT_PERIOD_MS 672
#define AIORING_OFF_TAIL_WAITERS    676
#define AIORING_OFF_BACKEND         680   /* 1 io_uring, 2 threads (with AIORING_COMPAT_BACKEND) */
#define AIORING_OFF_BACKEND_ERRNO   684
#define AIORING_OFF_REAPED_SEQUENCE 768   /* u64, with AIORING_COMPAT_REAPED_SEQUENCE */
#define AIORING_OFF_CLAIMS_IN_PROGRESS 776 /* u32, with AIORING_COMPAT_CLAIMS_IN_PROGRESS */
#define AIORING_INCOMPAT_EVENTS_V1  0x1ULL
#define AIORING_INCOMPAT_OVERFLOW_LEFT 0x2ULL  /* 2.8: destroy left events in the overflow file: drain it too */
#define AIORING_COMPAT_CONTEXT_AREA 0x1ULL
#define AIORING_COMPAT_BACKEND      0x4ULL
#define AIORING_COMPAT_REAPED_SEQUENCE 0x8ULL
#define AIORING_COMPAT_TAIL_FUTEX   0x10ULL
#define AIORING_COMPAT_DURABLE_OVERFLOW 0x20ULL   /* 2.8: the overflow file, drained after the engine's death */
#define AIORING_COMPAT_IOCB_ASYNC   0x40ULL   /* 2.2: the engine takes iocb flag ASYNC (0x20) */
#define AIORING_COMPAT_TOTALS       0x80ULL   /* 2.14: the trailer holds the engine's totals */
#define AIORING_COMPAT_CLAIMS_IN_PROGRESS 0x100ULL /* 2.6, 2.8: reapers count their ring claims */
#define AIORING_COMPAT_CORRUPTED_FLAG 0x200ULL  /* 1.3: the engine sets the ring flag CORRUPTED */

/* 2.14 totals, offsets from the start of the trailer (file offset 4096 + data_length) */
#define AIORING_TOTALS_SEQUENCE     0     /* u64 seqlock: odd while the engine updates */
#define AIORING_TOTALS_OPCODE_COUNT 8
#define AIORING_TOTALS_BUCKET_COUNT 12    /* 48 */
#define AIORING_TOTALS_BLOCK_LENGTH 16    /* 832 */
#define AIORING_TOTALS_BLOCKS       64    /* opcode n's block at 64 + 832 n */
#define AIORING_TOTALS_EVENTS       0     /* u64 counters, offsets within a block */
#define AIORING_TOTALS_ERRORS       8
#define AIORING_TOTALS_BYTES        16
#define AIORING_TOTALS_PAGE_CACHE   24    /* 4 x u64: hit, partial, miss, not applicable */
#define AIORING_TOTALS_LATENCY      64    /* 48 x u64: complete - submit, log2 ns buckets */
#define AIORING_TOTALS_SERVICE      448   /* 48 x u64: complete - start */
#define AIORING_OFF_OVERFLOW_PATH_LENGTH 896
#define AIORING_OFF_OVERFLOW_PATH   900
#define AIORING_MAX_OVERFLOW_PATH   108
#define AIORING_OFF_OVERFLOW_VOLATILE 1008
#define AIORING_SEQUENCE_NOT_IN_RING UINT64_MAX

struct aioring {
    uint8_t *base;          /* the whole file, mapped */
    size_t mapped;
    uint32_t data_length;   /* checked at open, never reread */
    uint32_t max_payload;
    int keeps_reaped;       /* the engine keeps reaped_sequence (AIORING_COMPAT_REAPED_SEQUENCE) */
    uint64_t floor;         /* one past the highest event sequence known reaped (2.6) */
    uint64_t refused;       /* events aioring_reap dropped as reaped before: head was moved backwards */
    uint8_t *guard;         /* the ring file whose reaped_sequence guards this one: itself, or for an overflow
                               file the context's ring (2.8) */
    int copies_expected;    /* an overflow file: events below the floor are copies the ring gave out (2.8) */
    uint64_t copies;        /* such copies dropped, silently */
    uint64_t last_in_file;  /* an overflow file: the last sequence seen in it (UINT64_MAX: none yet) */
    int delivered_in_file;  /* an overflow file: one of its events has been kept */
    int counts_claims;      /* a context ring with AIORING_COMPAT_CLAIMS_IN_PROGRESS: claims are counted (2.6) */
};

static inline uint64_t aioring_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t aioring_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint16_t aioring_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

#define AIORING_WORD(r, off) ((_Atomic uint32_t *)((r)->base + (off)))

/* Maps and checks a ring file (1.9). Returns 0, or -1 with a message in err. */
static inline int aioring_open(struct aioring *r, const char *path, uint64_t known_incompat, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) { snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno)); return -1; }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)AIORING_HEADER_LENGTH) {
        snprintf(err, errlen, "not an aioring ring: %s is shorter than the header", path); close(fd); return -1;
    }
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED) { snprintf(err, errlen, "mmap %s: %s", path, strerror(errno)); return -1; }
    r->base = base;
    r->mapped = (size_t)st.st_size;
    uint64_t magic = atomic_load_explicit((_Atomic uint64_t *)(r->base + AIORING_OFF_MAGIC), memory_order_acquire);
    uint32_t version = aioring_u32(r->base + AIORING_OFF_ABI_VERSION);
    uint64_t incompat = aioring_u64(r->base + AIORING_OFF_INCOMPAT);
    uint32_t data_length = aioring_u32(r->base + AIORING_OFF_DATA_LENGTH);
    uint32_t max_payload = aioring_u32(r->base + AIORING_OFF_MAX_PAYLOAD);
    const char *bad = NULL;
    if (magic == 0) bad = "magic is 0: a ring still being set up (1.1); try again";
    else if (magic != AIORING_MAGIC) bad = "magic is not \"AIORING\\0\"";
    else if (version != AIORING_ABI_VERSION) bad = "abi_version is not 1";
    else if (aioring_u32(r->base + AIORING_OFF_HEADER_LENGTH) != AIORING_HEADER_LENGTH) bad = "header_length is not 4096";
    else if (incompat & ~known_incompat) bad = "unknown incompat features";
    else if (data_length < AIORING_MIN_DATA_LENGTH || data_length > AIORING_MAX_DATA_LENGTH
             || (data_length & (data_length - 1))) bad = "data_length is not a power of two in [1024, 2^30]";
    else if ((uint64_t)st.st_size < (uint64_t)AIORING_HEADER_LENGTH + data_length) bad = "the file is truncated";
    else if (max_payload != data_length / 8) bad = "max_payload_length is not data_length / 8";
    else {
        /* 1.9: the counters at open; a live ring's head moves between the loads, so judge a bad pair again */
        for (int attempt = 0; ; attempt++) {
            uint32_t h = atomic_load_explicit(AIORING_WORD(r, AIORING_OFF_HEAD), memory_order_acquire);
            uint32_t t = atomic_load_explicit(AIORING_WORD(r, AIORING_OFF_TAIL), memory_order_acquire);
            uint32_t unread = t - h;
            const char *counters = ((h | t) & 7u) ? "head and tail are not both multiples of 8"
                : (int32_t)unread < 0 ? "head is beyond tail"
                : unread > data_length ? "more than data_length bytes unread" : NULL;
            if (!counters) break;
            if (attempt >= 3 && atomic_load(AIORING_WORD(r, AIORING_OFF_HEAD)) == h) { bad = counters; break; }
        }
    }
    if (bad) {
        snprintf(err, errlen, "%s: %s", path, bad);
        munmap(r->base, r->mapped);
        r->base = NULL;
        return -1;
    }
    r->data_length = data_length;
    r->max_payload = max_payload;
    r->keeps_reaped = (aioring_u64(r->base + AIORING_OFF_COMPAT) & AIORING_COMPAT_REAPED_SEQUENCE) != 0;
    r->counts_claims = r->keeps_reaped
        && (aioring_u64(r->base + AIORING_OFF_COMPAT) & AIORING_COMPAT_CLAIMS_IN_PROGRESS) != 0;
    r->guard = r->base;
    return 0;
}

static inline void aioring_close(struct aioring *r) {
    if (r->base) munmap(r->base, r->mapped);
    r->base = NULL;
}

static inline uint32_t aioring_flags(struct aioring *r) {
    return atomic_load_explicit(AIORING_WORD(r, AIORING_OFF_FLAGS), memory_order_acquire);
}

/* 2.8: ask the engine to move overflowed events into the room just made. */
static inline void aioring_ring_doorbell(struct aioring *r) {
    atomic_fetch_add(AIORING_WORD(r, AIORING_OFF_DOORBELL), 1);
    syscall(SYS_futex, r->base + AIORING_OFF_DOORBELL, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

/* 2.6: an event record's sequence, or AIORING_SEQUENCE_NOT_IN_RING for a record without one. */
static inline uint64_t aioring_record_sequence(const uint8_t *record, uint32_t span) {
    uint32_t len = aioring_u32(record), type = aioring_u32(record + 4);
    if (type != AIORING_RECORD_EVENT || len > span || len < AIORING_RECORD_HEADER + AIORING_EVENT_HEADER)
        return AIORING_SEQUENCE_NOT_IN_RING;
    return aioring_u64(record + AIORING_RECORD_HEADER + AIORING_EVENT_SEQUENCE);
}

/*
 * 2.6: after a claim, drops the events of `out` reaped before (a sequence below the floor: head was moved
 * backwards), counting them in r->refused, and raises reaped_sequence past the last one. Returns the bytes kept.
 */
static inline uint32_t aioring_refuse_reaped(struct aioring *r, uint8_t *out, uint32_t copied) {
    uint64_t last = AIORING_SEQUENCE_NOT_IN_RING;
    uint32_t kept = 0;
    int first = 1; /* the claim's first event: other reapers may have taken the file's events since our last claim */
    for (uint32_t o = 0; o < copied; ) {
        uint32_t span = AIORING_ALIGN8(aioring_u32(out + o));
        uint64_t seq = aioring_record_sequence(out + o, copied - o);
        if (seq != AIORING_SEQUENCE_NOT_IN_RING) {
            last = seq;
            if (r->copies_expected) {
                /* 2.8: the file's sequences increase, within a claim by one but for events that found it full;
                   copies come first */
                uint64_t slack = aioring_u64(r->guard + AIORING_OFF_OVERFLOW_VOLATILE);
                uint64_t prev = r->last_in_file;
                int jump_allowed = first;
                first = 0;
                r->last_in_file = seq;
                if ((prev != UINT64_MAX && (seq <= prev || (!jump_allowed && seq - prev > slack + 1)))
                    || (seq < r->floor && r->delivered_in_file)) {
                    r->refused++;
                    o += span;
                    continue;
                }
            }
            if (seq < r->floor) {
                if (r->copies_expected) r->copies++; else r->refused++;
                o += span;
                continue;
            }
            r->floor = seq + 1;
            if (r->copies_expected) r->delivered_in_file = 1;
        }
        if (kept != o) memmove(out + kept, out + o, span);
        kept += span;
        o += span;
    }
    if (r->keeps_reaped && last != AIORING_SEQUENCE_NOT_IN_RING) {
        _Atomic uint64_t *mark = (_Atomic uint64_t *)(r->guard + AIORING_OFF_REAPED_SEQUENCE);
        uint64_t seen = atomic_load(mark);
        while (seen < last + 1 && !atomic_compare_exchange_weak(mark, &seen, last + 1)) { }
    }
    return kept;
}

/*
 * 1.7: copies whole records (fillers left out) of at most `budget` bytes - at least one record - to `out`, which
 * must hold 8 + max_payload bytes at least. Returns the bytes copied (records back to back: length, type,
 * payload, padding), 0 if the ring is empty, -1 if the ring is corrupt. Events reaped before (by this reaper or
 * any other that keeps reaped_sequence) are dropped and counted in r->refused (2.6): non-zero means someone moved
 * head backwards.
 */
static inline long aioring_reap(struct aioring *r, uint8_t *out, uint32_t budget) {
    uint8_t *data = r->base + AIORING_HEADER_LENGTH;
    const uint32_t mask = r->data_length - 1;
    for (;;) {
        uint32_t h = atomic_load_explicit(AIORING_WORD(r, AIORING_OFF_HEAD), memory_order_acquire);
        uint32_t t = atomic_load_explicit(AIORING_WORD(r, AIORING_OFF_TAIL), memory_order_acquire);
        uint32_t unread = t - h, consumed = 0, copied = 0;
        if (unread == 0) return 0;
        int bad = (h & 7u) || (int32_t)unread < 0 || unread > r->data_length || (unread & 7u);
        while (!bad && consumed < unread) {
            uint32_t p = (h + consumed) & mask;
            uint32_t len = aioring_u32(data + p), type = aioring_u32(data + p + 4);
            if (type == AIORING_RECORD_FILLER) {
                if (len != r->data_length - p || len > unread - consumed) { bad = 1; break; }
                consumed += len;
                continue;
            }
            uint32_t span = AIORING_ALIGN8(len);
            if (len < AIORING_RECORD_HEADER || len > AIORING_RECORD_HEADER + r->max_payload
                || span > r->data_length - p || span > unread - consumed) { bad = 1; break; }
            if (copied > 0 && copied + span > budget) break;
            memcpy(out + copied, data + p, span);
            /* the copy's header is the one checked, even if a writer changed the ring's since the check */
            memcpy(out + copied, &len, 4);
            memcpy(out + copied + 4, &type, 4);
            copied += span;
            consumed += span;
        }
        if (bad && consumed == 0) {
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load(AIORING_WORD(r, AIORING_OFF_HEAD)) != h) continue;   /* torn by another reaper */
            return -1;
        }
        _Atomic uint32_t *claims = AIORING_WORD(r, AIORING_OFF_CLAIMS_IN_PROGRESS);
        if (r->counts_claims) atomic_fetch_add(claims, 1);   /* 2.6: a claim under way, before anything else */
        if (r->keeps_reaped) {         /* 2.6: what every reaper had taken before this claim */
            uint64_t shared = atomic_load((_Atomic uint64_t *)(r->guard + AIORING_OFF_REAPED_SEQUENCE));
            if (shared > r->floor) r->floor = shared;
        }
        if (atomic_compare_exchange_strong(AIORING_WORD(r, AIORING_OFF_HEAD), &h, h + consumed)) {
            copied = aioring_refuse_reaped(r, out, copied);   /* raises reaped_sequence */
            if (r->counts_claims) atomic_fetch_sub(claims, 1);
            if (copied == 0) continue;     /* took only a filler, or only events reaped before */
            return (long)copied;
        }
        if (r->counts_claims) atomic_fetch_sub(claims, 1);
    }
}

/* 2.9, by the words alone (this header opens no liveness connection; one spoofed word can fool it). */
#define AIORING_ENGINE_RUNNING 0
#define AIORING_ENGINE_CLOSED  1   /* PRODUCER_CLOSED: destroyed */
#define AIORING_ENGINE_GONE    2   /* producer_pid is gone, or heartbeat_ns is older than 20 heartbeat periods */

static inline int aioring_engine_state(struct aioring *r) {
    if (aioring_flags(r) & AIORING_FLAG_PRODUCER_CLOSED) return AIORING_ENGINE_CLOSED;
    uint32_t pid = aioring_u32(r->base + AIORING_OFF_PRODUCER_PID);
    if (pid == 0 || pid > INT32_MAX || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) return AIORING_ENGINE_GONE;
    uint32_t period = 100;
    if (aioring_u64(r->base + AIORING_OFF_COMPAT) & AIORING_COMPAT_CONTEXT_AREA) {
        period = atomic_load_explicit(AIORING_WORD(r, AIORING_OFF_HEARTBEAT_PERIOD_MS), memory_order_relaxed);
        if (period < 1 || period > 60000) period = 100;
    }
    uint64_t beat = atomic_load_explicit((_Atomic uint64_t *)(r->base + AIORING_OFF_HEARTBEAT), memory_order_acquire);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
    return ns > beat && ns - beat > 20ull * period * 1000000ull ? AIORING_ENGINE_GONE : AIORING_ENGINE_RUNNING;
}

/*
 * 2.8: once the engine is gone, or closed its ring with events still on its overflow list, those events wait in
 * the overflow file named in the context area. Opens it as `overflow`, a ring of the same format, to reap with
 * aioring_reap() once `r` is empty: its events are guarded by r's reaped_sequence, and a copy of an event the ring
 * gave out already is dropped without a report (counted in overflow->copies). Returns 1 if opened, 0 if there is
 * none (no DURABLE_OVERFLOW, no path, or a reaper that drained it removed it), -1 with a message in err.
 */
static inline int aioring_open_overflow(struct aioring *r, struct aioring *overflow, char *err, size_t errlen) {
    if (!(aioring_u64(r->base + AIORING_OFF_COMPAT) & AIORING_COMPAT_DURABLE_OVERFLOW)) return 0;
    uint32_t len = aioring_u32(r->base + AIORING_OFF_OVERFLOW_PATH_LENGTH);
    if (len == 0) return 0;
    if (len > AIORING_MAX_OVERFLOW_PATH) {
        snprintf(err, errlen, "overflow_path_length is %u, more than %u", len, AIORING_MAX_OVERFLOW_PATH);
        return -1;
    }
    char path[AIORING_MAX_OVERFLOW_PATH + 1];
    memcpy(path, r->base + AIORING_OFF_OVERFLOW_PATH, len);
    path[len] = 0;
    if (strlen(path) != len) { snprintf(err, errlen, "overflow_path holds a NUL byte"); return -1; }
    if (aioring_open(overflow, path, AIORING_INCOMPAT_EVENTS_V1, err, errlen) != 0) {
        return access(path, F_OK) != 0 && errno == ENOENT ? 0 : -1;
    }
    overflow->guard = r->base;
    overflow->counts_claims = 0;   /* the file's claims are not counted; the ring's must be over before we read it */
    if (r->counts_claims) {
        /* 2.8: another reaper may have claimed ring events whose copies are in the file, and not yet raised
           reaped_sequence past them: wait for its claim to end, at most 1 s (one that died never ends it) */
        _Atomic uint32_t *claims = AIORING_WORD(r, AIORING_OFF_CLAIMS_IN_PROGRESS);
        for (int i = 0; i < 1000 && atomic_load(claims) != 0; i++) {
            struct timespec ms = { 0, 1000000 };
            nanosleep(&ms, NULL);
        }
    }
    overflow->keeps_reaped = r->keeps_reaped;
    overflow->floor = r->floor;
    overflow->copies_expected = 1;
    overflow->last_in_file = UINT64_MAX;
    return 1;
}

#endif /* AIORING_H */
