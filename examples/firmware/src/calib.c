#include "calib.h"

#include "crc.h"

int calib_verify(void)
{
    if (calib_hdr.magic != CALIB_MAGIC || calib_hdr.size != sizeof calib_data)
        return -1;
    return crc32(&calib_data, sizeof calib_data) == calib_hdr.crc32 ? 0 : -1;
}

/* Bilinear interpolation over the rpm x load map, in 8.8 fixed point:
 * the map is coarse, and stepping between cells would show up as jumps in
 * the reported fuel consumption. */
uint16_t calib_fuel_rate(uint16_t rpm, uint8_t load)
{
    const uint16_t (*m)[CALIB_LOAD_BINS] = calib_data.fuel_ml_h;
    unsigned r = rpm >> 8, rf = rpm & 0xFFu;
    unsigned l = load >> 2, lf = (load & 3u) << 6;
    uint64_t lo, hi;

    if (r >= CALIB_RPM_BINS - 1) {
        r = CALIB_RPM_BINS - 2;
        rf = 256;
    }
    if (l >= CALIB_LOAD_BINS - 1) {
        l = CALIB_LOAD_BINS - 2;
        lf = 256;
    }
    lo = (uint64_t)m[r][l] * (256 - lf) + (uint64_t)m[r][l + 1] * lf;
    hi = (uint64_t)m[r + 1][l] * (256 - lf) + (uint64_t)m[r + 1][l + 1] * lf;
    return (uint16_t)((lo * (256 - rf) + hi * rf) >> 16);
}

/* Nearest cell is enough here: the eco score is averaged over a whole trip. */
uint16_t calib_eco_weight(uint16_t speed_kph_x100, int16_t accel_dms2)
{
    unsigned s = speed_kph_x100 / 800u;
    int a = accel_dms2 + CALIB_ACCEL_BINS / 2;

    if (s >= CALIB_SPEED_BINS)
        s = CALIB_SPEED_BINS - 1;
    if (a < 0)
        a = 0;
    if (a >= CALIB_ACCEL_BINS)
        a = CALIB_ACCEL_BINS - 1;
    return calib_data.eco_weight[s][a];
}

int16_t calib_ntc_temp(uint8_t adc)
{
    return calib_data.ntc_c_x10[adc];
}
