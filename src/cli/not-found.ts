/** kubectl's prefix for an object named on the command line that does not exist (get, describe, delete, main's error line). */
export const NOT_FOUND_PREFIX = 'Error (NotFound): ';
