/* Calibration data: lookup tables tuned per vehicle platform and shipped as
 * constant data. A recalibration release changes only these tables (and the
 * header CRC), which is why they are kept in their own translation unit. */
#ifndef TCU_CALIB_H
#define TCU_CALIB_H

#include <stdint.h>

#define CALIB_MAGIC      0x43414C42u /* "CALB" */
#define CALIB_RPM_BINS   32          /* 0..7936 rpm in 256 rpm steps */
#define CALIB_LOAD_BINS  64          /* engine load 0..255 (raw) in steps of 4 */
#define CALIB_SPEED_BINS 32          /* 0..248 km/h in 8 km/h steps */
#define CALIB_ACCEL_BINS 64          /* -3.2..+3.1 m/s^2 in 0.1 m/s^2 steps */
#define CALIB_NTC_POINTS 256         /* one entry per 8-bit ADC code */

struct calib_tables {
    uint16_t fuel_ml_h[CALIB_RPM_BINS][CALIB_LOAD_BINS];    /* fuel rate, mL/h */
    uint16_t eco_weight[CALIB_SPEED_BINS][CALIB_ACCEL_BINS]; /* 0..1000 */
    int16_t  ntc_c_x10[CALIB_NTC_POINTS];                    /* board temp, 0.1 C */
};

struct calib_header {
    uint32_t magic;
    uint16_t revision;
    uint16_t size;  /* sizeof(struct calib_tables) */
    uint32_t crc32; /* CRC-32 of calib_data as stored */
};

extern const struct calib_header calib_hdr;
extern const struct calib_tables calib_data;

int      calib_verify(void); /* 0 if the header matches the tables */
uint16_t calib_fuel_rate(uint16_t rpm, uint8_t load);
uint16_t calib_eco_weight(uint16_t speed_kph_x100, int16_t accel_dms2);
int16_t  calib_ntc_temp(uint8_t adc);

#endif
