// The «Электронная школа» (ESH) roster export an authority uploads: CSV files separated by `;`
// (as Russian Excel saves them), UTF-8 with or without BOM, Russian column headers, dates
// DD.MM.YYYY. A folder or a .zip. See README.md for the columns.
export const ESH_FILES = {
  schools: { file: 'schools.csv', columns: ['Код ОО', 'Наименование'] },
  classes: { file: 'classes.csv', columns: ['Код ОО', 'Код класса', 'Класс', 'Параллель'] },
  subjects: { file: 'subjects.csv', columns: ['Код ОО', 'Код предмета', 'Предмет'] },
  people: { file: 'people.csv', columns: ['Код ОО', 'Код', 'Фамилия', 'Имя', 'Отчество', 'Дата рождения', 'Телефон', 'Эл. почта'] },
  students: { file: 'students.csv', columns: ['Код ОО', 'Код ученика', 'Код класса', 'Статус'] },
  staff: { file: 'staff.csv', columns: ['Код ОО', 'Код сотрудника', 'Должность', 'Статус'] },
  teaching: { file: 'teaching.csv', columns: ['Код ОО', 'Код учителя', 'Код предмета', 'Код класса'] },
  classTeachers: { file: 'class_teachers.csv', columns: ['Код ОО', 'Код класса', 'Код учителя'] },
  guardians: { file: 'guardians.csv', columns: ['Код ОО', 'Код родителя', 'Код ребёнка'] },
} as const;

export const STUDENT_STATUS = { обучается: 'active', выбыл: 'expelled' } as const;
export const STAFF_STATUS = { работает: 'employed', уволен: 'dismissed' } as const;
export const STAFF_ROLE = { учитель: 'teacher', сотрудник: 'staff', администратор: 'admin' } as const;
