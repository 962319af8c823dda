/*
 * The machine's own cost of waking a sleeping process: the floor under aioring's cross-process wake-up figures.
 * Two C processes, no JVM and no ring: every 300 us the waker stamps CLOCK_MONOTONIC into shared memory, then
 * wakes the sleeper through a futex word (FUTEX_WAKE) or an eventfd (write); the sleeper, in FUTEX_WAIT or
 * poll(2), takes the clock as soon as it runs again. Run once with no pinning, once with the two processes
 * pinned to different CPUs, and once pinned to the same CPU.
 *
 *   gcc -O2 -o wake_floor wake_floor.c && ./wake_floor futex|eventfd any|cross|same [wake-ups]
 *
 * Prints one Markdown table row: how, wake-ups, p50, p99, p99.9 (microseconds), after 1,000 not recorded.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARM_UP 1000
#define PERIOD_NS 300000L

struct shared {
    _Atomic uint32_t word;  /* the futex word: wake-ups sent */
    _Atomic uint32_t seen;  /* wake-ups the sleeper has taken */
    _Atomic uint64_t stamp; /* when the last one was sent */
};

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000000u + (uint64_t) t.tv_nsec;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        perror("sched_setaffinity");
        exit(1);
    }
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static void sleeper(struct shared *s, int use_futex, int efd, int total, int count) {
    uint64_t *latency = malloc(sizeof(uint64_t) * (size_t) count);
    uint32_t seen = 0;
    while (seen < (uint32_t) total) {
        while (atomic_load(&s->word) == seen) {
            if (use_futex) {
                syscall(SYS_futex, &s->word, FUTEX_WAIT, seen, NULL, NULL, 0);
            } else {
                struct pollfd p = {.fd = efd, .events = POLLIN};
                uint64_t value;
                if (poll(&p, 1, -1) == 1 && read(efd, &value, sizeof value) != sizeof value) {
                    perror("read eventfd");
                    exit(1);
                }
            }
        }
        uint64_t t = now_ns();
        if (seen >= WARM_UP) {
            latency[seen - WARM_UP] = t - atomic_load(&s->stamp);
        }
        seen++;
        atomic_store(&s->seen, seen);
    }
    qsort(latency, (size_t) count, sizeof latency[0], compare);
    printf("%.1f µs | %.1f µs | %.1f µs |\n", latency[count / 2] / 1e3, latency[(long) count * 99 / 100] / 1e3,
           latency[(long) count * 999 / 1000] / 1e3);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "futex") && strcmp(argv[1], "eventfd"))
        || (strcmp(argv[2], "any") && strcmp(argv[2], "cross") && strcmp(argv[2], "same"))) {
        fprintf(stderr, "usage: wake_floor futex|eventfd any|cross|same [wake-ups]\n");
        return 2;
    }
    const int use_futex = !strcmp(argv[1], "futex");
    const int count = argc > 3 ? atoi(argv[3]) : 5000;
    if (count <= 0) {
        fprintf(stderr, "wake-ups must be positive\n");
        return 2;
    }
    const int total = count + WARM_UP;
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    const int efd = eventfd(0, 0);
    if (s == MAP_FAILED || efd < 0) {
        perror("setup");
        return 1;
    }
    const char *where = !strcmp(argv[2], "any") ? "not pinned"
        : !strcmp(argv[2], "cross") ? "pinned to different CPUs" : "pinned to the same CPU";
    printf("| C pair, %s, %s | %d | ", use_futex ? "futex" : "eventfd + poll(2)", where, count);
    fflush(stdout);
    const pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        if (strcmp(argv[2], "any")) {
            pin(!strcmp(argv[2], "cross") ? 1 : 0);
        }
        sleeper(s, use_futex, efd, total, count);
        return 0;
    }
    if (strcmp(argv[2], "any")) {
        pin(0);
    }
    const uint64_t one = 1;
    for (uint32_t i = 0; i < (uint32_t) total; i++) {
        /* one wake-up at a time: the next waits until the sleeper has taken this one */
        do {
            struct timespec period = {0, PERIOD_NS};
            nanosleep(&period, NULL);
        } while (atomic_load(&s->seen) != i);
        atomic_store(&s->stamp, now_ns());
        atomic_fetch_add(&s->word, 1);
        if (use_futex) {
            syscall(SYS_futex, &s->word, FUTEX_WAKE, 1, NULL, NULL, 0);
        } else if (write(efd, &one, sizeof one) != sizeof one) {
            perror("write eventfd");
            return 1;
        }
    }
    int status;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
