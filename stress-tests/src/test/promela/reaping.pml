/*
 * The ring's reaping protocol (docs/abi.md 1.7) and the tail futex's wake-up (2.9), small enough for spin to try
 * every interleaving: one producer (the engine), two shared reapers, a ring of 4 one-slot records whose head and
 * tail run mod 8 from 5, so they wrap. spin checks that every record is delivered exactly once (assertions) and
 * that no reaper sleeps while a record waits for it (such a lost wake-up leaves the producer waiting for an empty
 * ring that never comes: an invalid end state).
 *
 * spin's memory is sequentially consistent: the fences that make the real code behave so are checked by the
 * jcstress tests (TailWaiterHandshake, EventfdEdge). A variant that breaks the protocol on purpose must fail:
 *   -DWAKE_BEFORE_PUBLISH  the producer looks at tail_waiters before it publishes tail (a lost wake-up)
 *   -DNO_CAS               a reaper moves head with a plain store, not a compare-and-swap (a record twice)
 */
#ifndef SLOTS
#define SLOTS 4
#endif
#ifndef MOD
#define MOD 8
#endif
#ifndef START
#define START 5
#endif
/* SLOTS divides MOD, as data_length divides 2^32: a counter's slot is the same on every lap. */
/* Fewer records than MOD: a stale head cannot recur, as in the real ring it needs 2^32 bytes (abi.md 1.8). */
#ifndef RECORDS
#define RECORDS 6
#endif
#define REAPERS 2

byte head = START;
byte tail = START;
byte data[SLOTS];
byte delivered[RECORDS];
byte waiters = 0;       /* tail_waiters */
bit asleep[REAPERS];    /* in FUTEX_WAIT on tail */
bit closed = 0;         /* PRODUCER_CLOSED */
byte ended = 0;

inline wake_all() {
    atomic { asleep[0] = 0; asleep[1] = 0 }
}

proctype producer() {
    byte i = 0;
    do
    :: i < RECORDS ->
        ((tail + MOD - head) % MOD) < SLOTS;    /* room: it loads head */
        data[tail % SLOTS] = i;
#ifdef WAKE_BEFORE_PUBLISH
        if
        :: waiters > 0 -> wake_all()
        :: else -> skip
        fi;
        tail = (tail + 1) % MOD;
#else
        tail = (tail + 1) % MOD;                /* publish; then a full fence */
        if
        :: waiters > 0 -> wake_all()            /* FUTEX_WAKE on tail */
        :: else -> skip
        fi;
#endif
        i++
    :: else -> break
    od;
    head == tail;       /* every record taken before destroy: a record nobody wakes for hangs here */
    closed = 1;         /* destroy: PRODUCER_CLOSED, then every sleeper woken */
    wake_all();
    ended == REAPERS;
    i = 0;
    do
    :: i < RECORDS -> assert(delivered[i] == 1); i++
    :: else -> break
    od
}

proctype reaper(byte me) {
    byte h, t, id;
    do
    :: true ->
        h = head;
        t = tail;
        if
        :: h != t ->
            id = data[h % SLOTS];               /* the copy, before the claim */
#ifdef NO_CAS
            head = (h + 1) % MOD;
            delivered[id]++;
            assert(delivered[id] == 1)
#else
            atomic {                            /* compare-and-swap head; the copy is whole if it succeeds */
                if
                :: head == h -> head = (h + 1) % MOD; delivered[id]++; assert(delivered[id] == 1)
                :: else -> skip                 /* another reaper took it: the copy is void */
                fi
            }
#endif
        :: h == t && closed -> break            /* drained after destroy */
        :: h == t && !closed ->
            waiters++;                          /* count in: an atomic add, a full barrier */
            if
            :: tail != t -> skip                /* an event came meanwhile: reap it */
            :: else ->
                atomic {                        /* FUTEX_WAIT(&tail, t): sleeps only if tail still holds t */
                    if
                    :: tail == t -> asleep[me] = 1
                    :: else -> skip
                    fi
                };
                if
                :: asleep[me] == 0 -> skip      /* woken */
                :: closed -> asleep[me] = 0     /* a sleep is bounded by a heartbeat period; after destroy that
                                                   bound ends it even if destroy's wake came just before it */
                fi
            fi;
            waiters--
        fi
    od;
    ended++
}

init {
    atomic {
        run producer();
        run reaper(0);
        run reaper(1)
    }
}
