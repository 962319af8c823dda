/*
 * aioring_reap RING-FILE OUT-FILE: a reaper in C, built on include/aioring.h alone. Reaps events until the engine
 * has closed the ring or is gone and the ring is empty, ringing the doorbell when the ring is empty and events wait
 * on the overflow list; then drains the overflow file (2.8), where a closed or dead engine left what its list held.
 * Checks each event's shape; writes every event's user_data (u64, little-endian) to OUT-FILE.
 * Exit 0 on success, 1 on a corrupt ring or event or a ring file truncated under it, 2 on bad arguments or I/O
 * errors.
 */
#include "aioring.h"

#include <setjmp.h>
#include <stdlib.h>

/*
 * 1.9: a ring file truncated under the mapping makes the next touch of a lost page raise SIGBUS. The reaper
 * catches it and says so, rather than die of it: nothing it touches after the jump is in the mapping.
 */
static sigjmp_buf truncated;

static void on_sigbus(int signal) {
    (void)signal;
    siglongjmp(truncated, 1);
}

/* Checks and writes out the events of one batch; returns how many, or -1 for a malformed one. */
static long take(const uint8_t *batch, long n, FILE *out) {
    long events = 0;
    for (long o = 0; o < n; ) {
        uint32_t len = aioring_u32(batch + o), type = aioring_u32(batch + o + 4);
        const uint8_t *ev = batch + o + AIORING_RECORD_HEADER;
        if (type == AIORING_RECORD_EVENT) {
            uint32_t event_length = len - AIORING_RECORD_HEADER;
            uint16_t count = aioring_u16(ev + AIORING_EVENT_ATTR_COUNT);
            uint32_t a = AIORING_EVENT_HEADER;
            for (uint16_t i = 0; i < count; i++) {      /* the return records must tile the event */
                if (a + AIORING_ATTR_HEADER > event_length) { fprintf(stderr, "bad event\n"); return -1; }
                a += AIORING_ALIGN8(AIORING_ATTR_HEADER + aioring_u32(ev + a + AIORING_ATTR_PAYLOAD_LENGTH));
            }
            if (a != event_length || event_length < AIORING_EVENT_HEADER) { fprintf(stderr, "bad event length\n"); return -1; }
            uint64_t user_data = aioring_u64(ev + AIORING_EVENT_USER_DATA);
            fwrite(&user_data, 8, 1, out);
            events++;
        }
        o += AIORING_ALIGN8(len);
    }
    return events;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: aioring_reap RING-FILE OUT-FILE\n"); return 2; }
    struct aioring r;
    char err[512];
    if (aioring_open(&r, argv[1], AIORING_INCOMPAT_EVENTS_V1 | AIORING_INCOMPAT_OVERFLOW_LEFT, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 2; }
    FILE *out = fopen(argv[2], "wb");
    if (!out) { fprintf(stderr, "cannot write %s\n", argv[2]); return 2; }
    uint8_t *batch = malloc(65536 + 8 + r.max_payload);
    volatile unsigned long events = 0;
    volatile int state = AIORING_ENGINE_RUNNING;
    struct sigaction bus;
    memset(&bus, 0, sizeof bus);
    bus.sa_handler = on_sigbus;
    sigemptyset(&bus.sa_mask);
    if (sigaction(SIGBUS, &bus, NULL) != 0) { fprintf(stderr, "sigaction: %s\n", strerror(errno)); return 2; }
    if (sigsetjmp(truncated, 1)) {
        fflush(out);
        fprintf(stderr, "the ring file was truncated under the mapping (SIGBUS) after %lu events\n", (unsigned long)events);
        return 1;
    }
    printf("reaping\n");
    fflush(stdout);
    for (;;) {
        long n = aioring_reap(&r, batch, 65536);
        if (n < 0) { fprintf(stderr, "corrupt ring\n"); return 1; }
        if (n == 0) {
            state = aioring_engine_state(&r);
            if (state == AIORING_ENGINE_RUNNING && (aioring_flags(&r) & AIORING_FLAG_OVERFLOW_PENDING)) {
                aioring_ring_doorbell(&r);
            } else if (state != AIORING_ENGINE_RUNNING) {
                /* closed or gone: one more look, in case the last events landed after our empty reap */
                if ((n = aioring_reap(&r, batch, 65536)) == 0) break;
                if (n < 0) { fprintf(stderr, "corrupt ring\n"); return 1; }
            }
            if (n == 0) {
                struct timespec pause = {0, 20000};
                nanosleep(&pause, NULL);
                continue;
            }
        }
        long taken = take(batch, n, out);
        if (taken < 0) return 1;
        events = events + (unsigned long)taken;
    }
    /* 2.8: what the engine's overflow list held when it closed or died, after the ring's events */
    struct aioring overflow;
    int opened = aioring_open_overflow(&r, &overflow, err, sizeof err);
    if (opened < 0) { fprintf(stderr, "%s\n", err); return 2; }
    unsigned long from_file = 0;
    if (opened) {
        long n;
        while ((n = aioring_reap(&overflow, batch, 65536)) > 0) {
            long taken = take(batch, n, out);
            if (taken < 0) return 1;
            from_file += (unsigned long)taken;
        }
        if (n < 0) { fprintf(stderr, "corrupt overflow file\n"); return 1; }
        if (overflow.refused) {
            fprintf(stderr, "overflow file: %llu events with sequences no engine wrote (or its head moved backwards)\n",
                (unsigned long long)overflow.refused);
            return 1;
        }
        aioring_close(&overflow);
    }
    fclose(out);
    printf("reaped %lu events (%lu from the overflow file); engine %s\n", events + from_file, from_file,
           state == AIORING_ENGINE_CLOSED ? "CLOSED" : "GONE");
    if (r.refused) { fprintf(stderr, "refused %llu events reaped before: head moved backwards\n", (unsigned long long)r.refused); return 1; }
    aioring_close(&r);
    free(batch);
    return 0;
}
