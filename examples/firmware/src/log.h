/* Fixed-size ring-buffer event log. The oldest entries are overwritten when
 * full: on a vehicle the most recent history is the useful part. */
#ifndef TCU_LOG_H
#define TCU_LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_CAPACITY 32u /* power of two, so wrapping is a mask */

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

enum log_code {
    LOG_BOOT = 1,
    LOG_STATE,     /* arg: (old << 8) | new */
    LOG_CAN_DROP,  /* arg: negative can_status_t, as unsigned */
    LOG_DIAG,      /* arg: (sid << 8) | response code */
    LOG_DTC_SET,   /* arg: 24-bit DTC */
    LOG_DTC_CLEAR,
    LOG_SELFTEST,
};

typedef struct {
    uint32_t tick;
    uint32_t arg;
    uint16_t code;
    uint8_t  level;
    uint8_t  reserved; /* keeps the struct padding-free for log_digest() */
} log_entry_t;

void     log_init(void);
void     log_set_time(uint32_t tick);
void     log_event(log_level_t level, uint16_t code, uint32_t arg);
size_t   log_count(void);
uint32_t log_overwritten(void);
int      log_get(size_t index, log_entry_t *out); /* 0 = oldest */
uint32_t log_digest(void);

#endif
