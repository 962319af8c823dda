/*
 * An external load generator for echo servers: one thread, epoll, N connections in ping-pong. Each connection
 * sends a message of M bytes, reads the whole echo back, checks every byte, and sends the next; a message's
 * bytes differ from the one before. Prints the echoes per second over the measured seconds, after a warm-up.
 *
 *   echo_load HOST PORT CONNECTIONS MESSAGE_BYTES WARMUP_SECONDS SECONDS
 *
 * Exits 1 on a wrong byte, a closed connection or any error: a wrong echo is a failed run, not a slow one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    uint32_t round;
    size_t sent;
    size_t received;
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static unsigned char expected(uint32_t round, size_t i, int index) {
    return (unsigned char) (round * 31 + i * 7 + index * 13);
}

static void fill(unsigned char *message, size_t length, uint32_t round, int index) {
    for (size_t i = 0; i < length; i++) {
        message[i] = expected(round, i, index);
    }
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s HOST PORT CONNECTIONS MESSAGE_BYTES WARMUP_SECONDS SECONDS\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    int connections = atoi(argv[3]);
    size_t length = (size_t) atol(argv[4]);
    double warmup = atof(argv[5]);
    double seconds = atof(argv[6]);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        fprintf(stderr, "not an IPv4 address: %s\n", host);
        return 2;
    }
    struct conn *conns = calloc(connections, sizeof *conns);
    unsigned char *out = malloc(length);
    unsigned char *in = malloc(length);
    int epoll = epoll_create1(0);
    for (int i = 0; i < connections; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
            perror("connect");
            return 1;
        }
        conns[i].fd = fd;
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t) i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
        fill(out, length, 0, i);
        if (write(fd, out, length) != (ssize_t) length) {
            perror("write");
            return 1;
        }
    }
    double start = now();
    double measureFrom = start + warmup;
    double end = measureFrom + seconds;
    long echoes = 0;
    int measuring = 0;
    struct epoll_event events[256];
    for (;;) {
        double t = now();
        if (!measuring && t >= measureFrom) {
            measuring = 1;
            echoes = 0;
        }
        if (t >= end) {
            break;
        }
        int n = epoll_wait(epoll, events, 256, 100);
        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            return 1;
        }
        for (int k = 0; k < n; k++) {
            int i = (int) events[k].data.u32;
            struct conn *c = &conns[i];
            ssize_t got = read(c->fd, in, length - c->received);
            if (got <= 0) {
                fprintf(stderr, "connection %d: %s\n", i, got == 0 ? "closed by the server" : strerror(errno));
                return 1;
            }
            for (ssize_t j = 0; j < got; j++) {
                if (in[j] != expected(c->round, c->received + j, i)) {
                    fprintf(stderr, "connection %d: wrong byte at %zu of round %u\n", i, c->received + j, c->round);
                    return 1;
                }
            }
            c->received += got;
            if (c->received == length) {
                echoes++;
                c->round++;
                c->received = 0;
                fill(out, length, c->round, i);
                if (write(c->fd, out, length) != (ssize_t) length) {
                    perror("write");
                    return 1;
                }
            }
        }
    }
    printf("%.0f\n", echoes / seconds);
    for (int i = 0; i < connections; i++) {
        close(conns[i].fd);
    }
    return 0;
}
