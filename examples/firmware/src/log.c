#include "log.h"

#include "crc.h"

static log_entry_t ring[LOG_CAPACITY];
/* Free-running counters: head - tail is the fill level, even across
 * 32-bit wrap-around. */
static uint32_t head, tail;
static uint32_t overwritten;
static uint32_t now;

void log_init(void)
{
    head = tail = overwritten = now = 0;
}

void log_set_time(uint32_t tick)
{
    now = tick;
}

void log_event(log_level_t level, uint16_t code, uint32_t arg)
{
    log_entry_t *e = &ring[head & (LOG_CAPACITY - 1)];

    if (head - tail == LOG_CAPACITY) {
        tail++;
        overwritten++;
    }
    e->tick = now;
    e->arg = arg;
    e->code = code;
    e->level = (uint8_t)level;
    e->reserved = 0;
    head++;
}

size_t log_count(void)
{
    return head - tail;
}

uint32_t log_overwritten(void)
{
    return overwritten;
}

int log_get(size_t index, log_entry_t *out)
{
    if (index >= log_count())
        return -1;
    *out = ring[(tail + index) & (LOG_CAPACITY - 1)];
    return 0;
}

/* CRC over the retained entries, oldest first: a compact fingerprint of the
 * event history for the self-test line. */
uint32_t log_digest(void)
{
    uint32_t crc = 0;
    log_entry_t e;

    for (size_t i = 0; log_get(i, &e) == 0; i++)
        crc = crc32_update(crc, &e, sizeof e);
    return crc;
}
