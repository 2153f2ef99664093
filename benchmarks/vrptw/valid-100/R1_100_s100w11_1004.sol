Route #1: 40 92 79 8 3
Route #2: 90 83 77 63 2 71
Route #3: 97 65 58 68 23
Route #4: 89 84 54 25 64 1
Route #5: 7 34 19 75 11
Route #6: 82 22 38 10
Route #7: 30 4 80 72 51 59
Route #8: 94 61 55 37 62 27 18
Route #9: 74 16 46 15 44
Route #10: 91 14 39 45 98
Route #11: 86 76 81
Route #12: 28 36 29
Route #13: 93 5 41 43 47 78 96
Route #14: 100 35 42 9 88
Route #15: 99 48 24 50 13 73
Route #16: 69 57 21 56 66 67
Route #17: 49 52 20
Route #18: 60 26 31 95
Route #19: 6 70 33 85
Route #20: 87 17 12 32 53
Cost: 2384.1
Reference: PyVRP 0.14.1, 150 s CPU, seed 0
